"""Lesson 23, the Celery worker: the same as `celery -A celery_basics.lesson23_other_languages.tasks worker`.

    python -m celery_basics.lesson23_other_languages.worker
"""

import sys

from celery_basics.lesson23_other_languages.tasks import app


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    app.worker_main(["worker", "--loglevel", "INFO", *args])


if __name__ == "__main__":
    main()
