"""Lesson 26, the worker: the same as `celery -A production.lesson26_pressure.tasks worker`.

    python -m production.lesson26_pressure.worker
"""

import sys

from production.lesson26_pressure.tasks import app


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    app.worker_main(["worker", "--loglevel", "INFO", "--concurrency", "1", *args])


if __name__ == "__main__":
    main()
