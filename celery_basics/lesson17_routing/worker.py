"""Lesson 17, the worker: the same as `celery -A celery_basics.lesson17_routing.tasks worker`.

    python -m celery_basics.lesson17_routing.worker -n media@%h -Q lesson17_media -c 1 --prefetch-multiplier 1
    python -m celery_basics.lesson17_routing.worker -n default@%h -Q lesson17_default
    python -m celery_basics.lesson17_routing.worker -n early-1@%h -Q lesson17_batch -c 1

Any `celery worker` option works; the worker runs until Ctrl+C.
"""

import sys

from celery_basics.lesson17_routing.tasks import app
from lessons.roles import run_role


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # app.worker_main() runs the `celery worker` command line with this app.
    app.worker_main(["worker", "--loglevel", "INFO", *argv])


if __name__ == "__main__":
    run_role(main)
