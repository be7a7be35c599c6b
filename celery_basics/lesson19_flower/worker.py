"""Lesson 19, the worker: events on (-E), so Flower can follow its tasks.

    python -m celery_basics.lesson19_flower.worker                          # until Ctrl+C
    python -m celery_basics.lesson19_flower.worker --hostname worker-2@%h   # any `celery worker` option
    (the same as: celery -A celery_basics.lesson19_flower.tasks worker -E --loglevel INFO)
"""

import sys

from celery_basics.lesson19_flower.tasks import app
from lessons.roles import run_role


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # -E (--task-events): send task events; tasks.py also sets worker_send_task_events=True.
    app.worker_main(["worker", "-E", "--loglevel", "INFO", *argv])


if __name__ == "__main__":
    run_role(main)
