"""Lesson 26, the client: hand a slow report to a Celery worker and wait for it.

    python client.py --seconds 3
"""

import argparse

from tasks import slow_report


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send one slow task and wait for its result.")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    result = slow_report.delay(args.seconds)
    print(f" [x] Sent slow_report({args.seconds:g}): task {result.id}")
    print(f" [.] Result: {result.get(timeout=args.timeout)!r}")


if __name__ == "__main__":
    main()
