"""Lesson 18's story in one terminal: a worker and celery beat, two processes; count the runs.

    make lesson-18            (or: python -m lessons run 18)
"""

import shutil
import signal
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from celery.schedules import crontab

from celery_basics.lesson18_periodic_tasks.tasks import app
from lessons.broker import celery_env
from lessons.processes import ROOT
from lessons.story import Story, wait_until

LESSON = "celery_basics.lesson18_periodic_tasks"
QUEUE = "lesson18_periodic_tasks"
TICKS = 5  # wait for this many runs of the 1-second entry
SENT = r"Sending due task {}"
RAN = r"run_report\[\S+\] succeeded in \S+: '{}'"


def main(argv=None) -> int:
    with Story(18, argv) as story:
        # Celery names the default exchange after the default queue: both go at the end.
        story.start_fresh(queues=[QUEUE], exchanges=[QUEUE])
        folder = Path(tempfile.mkdtemp(prefix="lesson18-"))
        story.cleanup(lambda: shutil.rmtree(folder, ignore_errors=True), always=True)
        schedule_file = folder / "celerybeat-schedule"

        story.section("The schedule (beat_schedule in tasks.py)")
        now = datetime.now(timezone.utc)
        rows = []
        for name, entry in app.conf.beat_schedule.items():
            schedule = entry["schedule"]
            if isinstance(schedule, crontab):
                rows.append((name, "crontab", schedule, entry["args"][0]))
            else:
                seconds = schedule.total_seconds() if isinstance(schedule, timedelta) else schedule
                rows.append((name, "interval", f"every {seconds:g} s", entry["args"][0]))
        story.table("Entries", ["name", "kind", "when", "label"], rows)
        cron = app.conf.beat_schedule["cron-every-minute"]["schedule"]
        wait = cron.remaining_estimate(now).total_seconds()
        story.say(f"A crontab cannot fire more often than once a minute: the next 'cron' run is at "
                  f"second 0 of the next minute, {wait:.0f} s from now. The demo counts the interval "
                  "entries, which are scaled down to seconds.")

        story.section("A worker and beat: two processes")
        worker = story.start_worker("worker", "tasks", "--concurrency", "1")
        beat = story.start_command(
            "beat", [sys.executable, "-m", "celery", "-A", "tasks", "beat",
                     "--loglevel", "INFO", "--schedule", str(schedule_file)],
            ready=r"beat: Starting", stop_signal=signal.SIGTERM, env=celery_env())
        worker.wait_for(RAN.format("tick"), count=TICKS, timeout=30)

        story.section("Stop beat; the worker finishes what beat sent")
        beat.stop()
        sent = {label: beat.count(SENT.format(name)) for name, label in
                (("tick-every-second", "tick"), ("tock-every-2-seconds", "tock"),
                 ("cron-every-minute", "cron"))}
        wait_until(lambda: all(worker.count(RAN.format(label)) == n for label, n in sent.items()),
                   timeout=10, what="the worker to run every task beat sent")
        ran = {label: worker.count(RAN.format(label)) for label in sent}
        story.table("Runs", ["label", "sent by beat", "run by the worker"],
                    [(label, sent[label], ran[label]) for label in sent])
        story.check(sent["tick"] >= TICKS and ran == sent,
                    f"beat sent 'tick' {sent['tick']} times, once a second, and the worker ran "
                    "every task beat sent, once")
        story.check(0 < sent["tock"] < sent["tick"],
                    f"the 2-second entry ran about half as often: {sent['tock']} times")
        story.check(sent["cron"] <= 1, f"the crontab entry ran {sent['cron']} time(s): at most once a minute")

        story.section("The schedule file")
        files = sorted(path.name for path in folder.iterdir())
        story.say(f"Schedule file: {schedule_file} ({', '.join(files)})")
        story.check(bool(files), "beat kept its state in the temporary folder (--schedule)")
        story.check(not list(ROOT.glob("celerybeat-schedule*")),
                    "and wrote nothing into the repository (it is removed when the demo ends)")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
