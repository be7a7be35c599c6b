"""Lesson 20, the worker: the same as `celery -A celery_basics.lesson20_configuration worker`.

    python -m celery_basics.lesson20_configuration.worker                                   # development settings
    CELERY_CONFIG_MODULE=celery_basics.lesson20_configuration.production python -m celery_basics.lesson20_configuration.worker
    CELERY_WORKER_CONCURRENCY=4 python -m celery_basics.lesson20_configuration.worker       # an override
"""

import sys

from celery_basics.lesson20_configuration.celery import CONFIG_MODULE, app
from lessons.roles import run_role


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    print(f" [*] Configuration module: {CONFIG_MODULE}")
    app.worker_main(["worker", "--loglevel", "INFO", *argv])


if __name__ == "__main__":
    run_role(main)
