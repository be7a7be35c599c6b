"""Lesson 17, the control API: ask the running workers who they are and what they consume.

    python inspect_workers.py

The same questions from the command line:

    celery -A tasks inspect ping
    celery -A tasks inspect active_queues
    celery -A tasks inspect stats
"""

import argparse
import sys

from tasks import app


def main(argv=None):
    parser = argparse.ArgumentParser(description="Ping the workers and show their queues and stats.")
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for replies")
    args = parser.parse_args(argv)

    # A broadcast on the broker: every worker answers (or not) within the timeout.
    inspect = app.control.inspect(timeout=args.timeout)
    pongs = inspect.ping() or {}
    if not pongs:
        print(" [!] No worker answered the ping. Start one: make lesson-17 ROLE=worker")
        return 1
    queues = inspect.active_queues() or {}
    stats = inspect.stats() or {}

    for worker in sorted(pongs):
        names = ", ".join(queue["name"] for queue in queues.get(worker, []))
        info = stats.get(worker, {})
        print(f" [.] {worker}: {pongs[worker]['ok']}; queues: {names}; "
              f"concurrency {info.get('pool', {}).get('max-concurrency')}; "
              f"prefetch_count {info.get('prefetch_count')}; "
              f"tasks done {sum(info.get('total', {}).values())}")


if __name__ == "__main__":
    sys.exit(main())
