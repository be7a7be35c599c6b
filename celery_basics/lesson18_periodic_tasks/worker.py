"""Lesson 18, the worker: runs what beat sends. The same as
`celery -A celery_basics.lesson18_periodic_tasks.tasks worker --loglevel INFO`.

    python -m celery_basics.lesson18_periodic_tasks.worker            # until Ctrl+C
"""

import sys

from celery_basics.lesson18_periodic_tasks.tasks import app
from lessons.roles import run_role


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # app.worker_main() runs the `celery worker` command line with this app.
    app.worker_main(["worker", "--loglevel", "INFO", *argv])


if __name__ == "__main__":
    run_role(main)
