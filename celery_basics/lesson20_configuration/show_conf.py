"""Lesson 20, ask running workers for the settings they really use (the control API's `conf`).

    python show_conf.py                  # every worker
    python show_conf.py prod@myhost      # one of them

The command-line twin shows the settings that differ from Celery's defaults:

    celery -A proj inspect conf
"""

import argparse
import json
import sys

from celery.app.defaults import DEFAULTS

from proj.celery import app

SETTINGS = [
    "worker_concurrency", "worker_prefetch_multiplier", "task_acks_late",
    "task_reject_on_worker_lost", "accept_content", "task_soft_time_limit", "task_time_limit",
    "result_expires", "worker_max_tasks_per_child", "timezone",
]


def seconds(value):
    """JSON for the defaults that are timedeltas (result_expires): their seconds."""
    return value.total_seconds()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Show the settings the running workers use.")
    parser.add_argument("workers", nargs="*", help="worker names (default: every worker)")
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for replies")
    args = parser.parse_args(argv)

    inspect = app.control.inspect(destination=args.workers or None, timeout=args.timeout)
    # Each worker answers with the settings that differ from Celery's defaults.
    replies = inspect.conf() or {}
    if not replies:
        print(" [!] No worker answered. Start one: make lesson-20 ROLE=worker")
        return 1
    for worker, conf in sorted(replies.items()):
        for setting in SETTINGS:
            if setting in conf:
                print(f" [.] {worker} {setting} = {json.dumps(conf[setting])}")
            else:  # not reported: the worker runs with Celery's default
                print(f" [.] {worker} {setting} = {json.dumps(DEFAULTS[setting], default=seconds)} (default)")


if __name__ == "__main__":
    sys.exit(main())
