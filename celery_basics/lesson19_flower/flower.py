"""Lesson 19, Flower: the web monitor, on 127.0.0.1 only, behind basic auth.

    python -m celery_basics.lesson19_flower.flower
    (the same as: FLOWER_BASIC_AUTH=course:course FLOWER_BROKER_API=http://course:course@127.0.0.1:15672/api/ \\
       celery -A celery_basics.lesson19_flower.tasks flower --address=127.0.0.1 --port=5555)

Then open FLOWER_URL (http://127.0.0.1:5555) and log in with FLOWER_BASIC_AUTH (course:course).
"""

import argparse
import os
import signal
import socket
import sys
from urllib.parse import urlsplit

from celery_basics.lesson19_flower.tasks import app
from lessons.errors import CourseError
from lessons.roles import run_role
from lessons.settings import FLOWER_BASIC_AUTH, FLOWER_URL, MANAGEMENT_URL

PORT = urlsplit(FLOWER_URL).port or 5555


def check_port_free(port=PORT, host="127.0.0.1"):
    """Raise a CourseError naming the port and FLOWER_URL when something already listens there."""
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise CourseError(
                f"Port {port} on {host} is already taken, so Flower cannot listen there: another "
                "Flower (the compose stack's 'flower' service, or an earlier run) or another "
                f"program uses it. Stop it (for the compose one: 'docker compose stop flower'), or "
                f"give this lesson another port: FLOWER_URL=http://127.0.0.1:5556 make lesson-19."
            ) from None


def stop_quietly(signum, frame):
    """Ctrl+C ends Flower as SIGTERM does; a second Ctrl+C while it stops is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(0)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run Flower for lesson 19 on 127.0.0.1. Other "
                                     "options go to Flower, e.g. --persistent=True --db=/tmp/flower.db")
    parser.add_argument("--port", type=int, default=PORT, help="the port (default: from FLOWER_URL)")
    args, flower_options = parser.parse_known_args(argv)

    check_port_free(args.port)
    # Flower reads any FLOWER_* variable as an option: the secrets stay out of `ps`.
    os.environ["FLOWER_BASIC_AUTH"] = FLOWER_BASIC_AUTH  # user:password for the UI and the API
    os.environ["FLOWER_BROKER_API"] = MANAGEMENT_URL  # the management API, for the Broker page
    signal.signal(signal.SIGINT, stop_quietly)
    app.start(["flower", "--address=127.0.0.1", f"--port={args.port}", *flower_options])


if __name__ == "__main__":
    run_role(main)
