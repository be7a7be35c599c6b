"""Lesson 22, the worker: the same as `celery -A celery_basics.lesson22_django.proj worker`.

    python -m celery_basics.lesson22_django.worker
"""

import sys

from celery_basics.lesson22_django.proj import celery_app
from lessons.roles import run_role


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    celery_app.worker_main(["worker", "--loglevel", "INFO", *args])


if __name__ == "__main__":
    run_role(main)
