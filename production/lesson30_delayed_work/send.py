"""Lesson 30, the client: send reminders for later (countdown) or for now.

    python send.py --countdown 30 --count 5            (classic queue: tasks.py)
    python send.py --app quorum_tasks --countdown 5    (quorum queue: quorum_tasks.py)
    python send.py --app redis_tasks --countdown 5     (Redis as the broker: redis_tasks.py)
"""

import argparse
import importlib
import logging


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send reminders, due now or later.")
    parser.add_argument("--app", default="tasks", choices=("tasks", "quorum_tasks", "redis_tasks"))
    parser.add_argument("--countdown", type=float, default=0, help="seconds from now; 0: at once")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--name", default="reminder")
    parser.add_argument("--task", default="remind", help="remind, or fetch and charge (quorum_tasks: retries)")
    parser.add_argument("--queue", help="another queue than the app's default one")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")  # shows Celery's warnings

    if args.count < 1:
        parser.error("--count must be 1 or more")
    tasks = importlib.import_module(args.app)
    task = getattr(tasks, args.task, None)
    if task is None or not hasattr(task, "apply_async"):
        parser.error(f"{args.app}.py has no task {args.task!r}")
    options = {"queue": args.queue} if args.queue else {}
    for number in range(1, args.count + 1):
        what = f"{args.name}-{number}"
        if args.countdown:
            result = task.apply_async((what,), countdown=args.countdown, **options)
            print(f" [x] Sent {args.task}({what!r}) for in {args.countdown:g} s: task {result.id}", flush=True)
        else:
            result = task.apply_async((what,), **options)
            print(f" [x] Sent {args.task}({what!r}) for now: task {result.id}", flush=True)


if __name__ == "__main__":
    main()
