"""Lesson 16, the worker: the same as `celery -A celery_basics.lesson16_workflows.tasks worker`.

    python -m celery_basics.lesson16_workflows.worker                  # until Ctrl+C
    python -m celery_basics.lesson16_workflows.worker --concurrency 4  # any `celery worker` option
"""

import sys

from celery_basics.lesson16_workflows.tasks import app
from lessons.roles import run_role


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # app.worker_main() runs the `celery worker` command line with this app.
    app.worker_main(["worker", "--loglevel", "INFO", *argv])


if __name__ == "__main__":
    run_role(main)
