"""Lesson 13, a client whose app has no result backend: the classic mistake, and its fix.

    python -m celery_basics.lesson13_results.no_backend          # the error
    python -m celery_basics.lesson13_results.no_backend --fixed  # the same app with backend=REDIS_URL
"""

import argparse

from celery import Celery

from lessons.roles import run_role
from lessons.settings import AMQP_URL, REDIS_URL


def main(argv=None):
    parser = argparse.ArgumentParser(description="Call a task from an app with no result backend.")
    parser.add_argument("--fixed", action="store_true", help="give the app the worker's backend")
    args = parser.parse_args(argv)

    if args.fixed:
        app = Celery("lesson13_client", broker=AMQP_URL, backend=REDIS_URL)
    else:
        app = Celery("lesson13_client", broker=AMQP_URL)  # no backend: results go nowhere
    app.conf.update(broker_connection_retry_on_startup=True, task_default_queue="lesson13_results")

    result = app.send_task("celery_basics.lesson13_results.tasks.add", (20, 22))
    print(f" [x] Sent add(20, 22), task id {result.id}, backend {type(app.backend).__name__}")
    try:
        print(f" [.] get() -> {result.get(timeout=10)}")
    except NotImplementedError as exc:
        print(f" [!] get() raised NotImplementedError: {' '.join(str(exc).split())}")
        print(" [!] The fix: the calling app needs the worker's backend: Celery(..., backend=REDIS_URL)")


if __name__ == "__main__":
    run_role(main)
