"""Exercise 18: a beat schedule with two interval entries, one with arguments."""

import re
import shutil
import sys
import tempfile
import time

from lessons.exercises import Exercise
from lessons.waiting import eventually


def runs(worker, task) -> list[str]:
    return [m.group(1) for m in worker.matches(rf"exercise18\.{task}\[\S+\] succeeded in \S+: (.*)$")]


def check(ck):
    ck.section("A worker and beat start (beat's schedule file goes to a temporary folder)")
    worker = ck.start_worker(app="tasks", wait=False)
    folder = tempfile.mkdtemp(prefix="exercise18-")
    ck.cleanup(lambda: shutil.rmtree(folder, ignore_errors=True), always=True)
    beat = ck.start_program("beat", [sys.executable, "-m", "celery", "-A", "tasks", "beat",
                                     "--schedule", f"{folder}/schedule", "--loglevel", "INFO"])
    ck.wait_until_ready(worker)
    ck.wait_for_line(beat, r"beat: Starting", 30, "start (' beat: Starting...')")

    def three_cleanups():
        if len(runs(worker, "cleanup")) >= 3:
            return True
        if not beat.running:
            ck.stop(f"beat stopped: {ck.diagnose(beat)}")
        return False

    started = time.monotonic()
    eventually(three_cleanups, timeout=6.5, interval=0.1)
    beats, cleanups = runs(worker, "heartbeat"), runs(worker, "cleanup")
    window = time.monotonic() - started
    ck.say(f"In {window:.1f} s the worker ran heartbeat {len(beats)} times and cleanup {len(cleanups)} times.")
    sent = beat.count(r"Scheduler: Sending due task")
    ck.expect(sent > 0, f"beat sent due tasks ({sent})",
              "beat sent nothing: its schedule (app.conf.beat_schedule) has no entry.")
    ck.expect(len(beats) >= 3 and len(beats) >= 1.2 * len(cleanups),
              "heartbeat ran about every second",
              f"heartbeat ran {len(beats)} times in {window:.1f} s: it should run every second.")
    ck.expect(2 <= len(cleanups) <= 0.75 * len(beats) + 0.5,
              "cleanup ran about every 2 seconds",
              f"cleanup ran {len(cleanups)} times in {window:.1f} s while heartbeat ran {len(beats)} times: "
              "it should run every 2 seconds.")
    ck.expect(cleanups and all(re.fullmatch(r"'cleaned tmp'", r) for r in cleanups),
              "cleanup got the folder 'tmp' as its argument",
              f"cleanup returned {cleanups[:2]}: give its schedule entry args (\"tmp\",)." if cleanups
              else "cleanup never ran, so its argument cannot be checked.")


EXERCISES = (
    Exercise(
        name="beat-schedule",
        title="A beat schedule: every second, every two seconds with arguments",
        files=("tasks.py",),
        task="Fill in app.conf.beat_schedule in tasks.py: exercise18.heartbeat every second, "
             "exercise18.cleanup every 2 seconds with the argument 'tmp'.",
        check=check,
        hints=(
            "beat is a separate process that reads app.conf.beat_schedule and sends each entry's task "
            "when it is due; the worker runs them like any other task.",
            "Each entry: a name of your choice mapped to {\"task\": <registered name>, \"schedule\": "
            "<seconds, or crontab(...)>, \"args\": (...)}.",
            "    app.conf.beat_schedule = {\n"
            "        \"heartbeat\": {\"task\": \"exercise18.heartbeat\", \"schedule\": 1.0},\n"
            "        \"cleanup\": {\"task\": \"exercise18.cleanup\", \"schedule\": 2.0, \"args\": (\"tmp\",)},\n"
            "    }",
        ),
        starter_says=r"\[no\] beat sent nothing",
        deadline=75,
    ),
)
