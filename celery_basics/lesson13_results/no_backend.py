"""Lesson 13, a client whose app has no result backend: the classic mistake, and its fix.

    python no_backend.py          # the error
    python no_backend.py --fixed  # the same app with backend=REDIS_URL
"""

import argparse
import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Call a task from an app with no result backend.")
    parser.add_argument("--fixed", action="store_true", help="give the app the worker's backend")
    args = parser.parse_args(argv)

    if args.fixed:
        app = Celery("lesson13_client", broker=AMQP_URL, backend=REDIS_URL)
    else:
        app = Celery("lesson13_client", broker=AMQP_URL)  # no backend: results go nowhere
    app.conf.update(broker_connection_retry_on_startup=True, task_default_queue="lesson13_results")

    result = app.send_task("tasks.add", (20, 22))  # the name the worker knows it by
    print(f" [x] Sent add(20, 22), task id {result.id}, backend {type(app.backend).__name__}")
    try:
        print(f" [.] get() -> {result.get(timeout=10)}")
    except NotImplementedError as exc:
        print(f" [!] get() raised NotImplementedError: {' '.join(str(exc).split())}")
        print(" [!] The fix: the calling app needs the worker's backend: Celery(..., backend=REDIS_URL)")


if __name__ == "__main__":
    main()
