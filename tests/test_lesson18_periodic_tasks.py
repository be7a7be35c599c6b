"""Lesson 18 end to end: beat and a worker as two processes, the runs counted, and no schedule
file left in the repository or in the temporary folder."""

import re
import signal
import sys
from pathlib import Path

from helpers import ROOT, assert_clean_run, lesson_processes, run_lesson

from lessons import broker
from lessons.broker import celery_env
from lessons.processes import Process

QUEUE = "lesson18_periodic_tasks"


def test_demo_counts_the_runs_and_leaves_no_schedule_file(management):
    out = assert_clean_run(run_lesson(18))
    sent = {label: (int(a), int(b)) for label, a, b in re.findall(r"│ (tick|tock|cron) +│ (\d+) +│ (\d+) +│", out)}
    assert sent["tick"][0] >= 5 and all(a == b for a, b in sent.values())
    assert 0 < sent["tock"][0] < sent["tick"][0] and sent["cron"][0] <= 1
    assert "<crontab: * * * * *" in out and "cannot fire more often than once a minute" in out
    assert out.count("beat: Starting") == 1
    # The schedule file lived in a temporary folder that is gone now; none in the repository.
    schedule = Path(re.search(r"Schedule file: (\S+)", out)[1])
    assert schedule.parent.name.startswith("lesson18-") and not schedule.parent.exists()
    assert not list(ROOT.glob("**/celerybeat-schedule*"))
    assert management.queue(QUEUE) is None
    assert lesson_processes("lesson18_periodic_tasks") == []


def test_beat_role_keeps_its_schedule_where_it_is_told(tmp_path):
    schedule = tmp_path / "schedule"
    beat = Process("beat", [sys.executable, "-m", "lessons", "run", "18", "--role", "beat", "--",
                            "--schedule", str(schedule)],
                   colour=None, env=celery_env(), stop_signal=signal.SIGTERM, echo=False)
    try:
        beat.wait_for(r"beat: Starting", timeout=20)
        # Two sends: the first one is surely published once beat logs the second.
        beat.wait_for(r"Sending due task tick-every-second", timeout=10, count=2)
    finally:
        beat.stop()
    assert f"Schedule file: {schedule}" in beat.output
    assert "Traceback" not in beat.output
    assert list(tmp_path.glob("schedule*")), "beat wrote its schedule file where --schedule said"
    assert not list(ROOT.glob("**/celerybeat-schedule*"))
    assert broker.queue_depth(QUEUE) >= 1  # sent, and no worker ran it
    assert lesson_processes("lesson18_periodic_tasks") == []
    broker.delete_queues(QUEUE)
    broker.delete_exchanges(QUEUE)
