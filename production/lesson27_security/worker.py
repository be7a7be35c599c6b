"""Lesson 27, the worker: the same as `celery -A production.lesson27_security.tasks worker`.

    python -m production.lesson27_security.worker
"""

import sys

from production.lesson27_security.tasks import app


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    app.worker_main(["worker", "--loglevel", "INFO", *args])


if __name__ == "__main__":
    main()
