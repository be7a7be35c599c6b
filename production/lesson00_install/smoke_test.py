"""Lesson 0, the smoke test: one task through the whole stack (broker, worker, result backend).

    celery -A tasks worker --loglevel INFO     (in another terminal, in this folder)
    python smoke_test.py
"""

import argparse
import sys

from celery.exceptions import TimeoutError as ResultTimeout

from tasks import add


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send add(2, 2) and wait for its result.")
    parser.add_argument("--timeout", type=float, default=10, help="seconds to wait for the result")
    args = parser.parse_args(argv)

    result = add.delay(2, 2)
    print(f" [x] Sent add(2, 2), task id {result.id}")
    try:
        value = result.get(timeout=args.timeout)
    except ResultTimeout:
        print(f" [!] No result within {args.timeout:g} s: is a worker running? Start one with "
              "'celery -A tasks worker' in this folder and try again.")
        result.forget()  # we stop waiting for it (left for Python to clean up, it prints a traceback)
        sys.exit(1)
    print(f" [.] add(2, 2) = {value}: the broker, a worker and the result backend all work")


if __name__ == "__main__":
    main()
