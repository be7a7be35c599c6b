"""Lesson 18, the scheduler: celery beat sends each task of the beat_schedule when it is due.

    python beat.py                 # until Ctrl+C
    python beat.py --schedule /tmp/my-schedule

The same as `celery -A tasks beat --schedule ...`.
Beat remembers when each entry last ran in a schedule file. Without --schedule it writes
'celerybeat-schedule' into the current folder; this role keeps it in the temporary folder.
Run ONE beat per schedule: two beats send every task twice.
"""

import argparse
import os
import tempfile

from tasks import app

SCHEDULE = os.path.join(tempfile.gettempdir(), "lesson18-beat", "celerybeat-schedule")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run celery beat for lesson 18 (other options go to beat).")
    parser.add_argument("--schedule", default=SCHEDULE, help=f"the schedule file (default: {SCHEDULE})")
    args, beat_options = parser.parse_known_args(argv)
    os.makedirs(os.path.dirname(os.path.abspath(args.schedule)), exist_ok=True)
    print(f" [*] Schedule file: {args.schedule}")
    # app.start() runs the `celery` command line with this app: here `celery beat`.
    app.start(["beat", "--loglevel", "INFO", "--schedule", args.schedule, *beat_options])


if __name__ == "__main__":
    main()
