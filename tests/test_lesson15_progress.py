"""Lesson 15 end to end: progress read from the result backend, piped and on a terminal."""

import os
import pty
import re
import select
import subprocess
import sys

from helpers import ROOT, assert_clean_run, end_demo, run_lesson, sandbox_processes

from lessons.waiting import eventually


def test_demo_piped_prints_plain_progress_lines(management):
    out = assert_clean_run(run_lesson(15, timeout=90))
    for n, steps in ((1, 10), (2, 12), (3, 14)):
        seen = [int(c) for c in re.findall(rf"client \|  \[\.\] job-{n}: (\d+)/", out)]
        assert seen == sorted(seen) and seen[-1] == steps and len(set(seen)) >= 4, seen
        assert f"[.] job-{n}: {steps}/{steps} (SUCCESS)" in out
        assert f"[x] job-{n}: SUCCESS, job-{n} done" in out
    assert '{"status": "PROGRESS", "result": {"current": ' in out
    assert "\x1b[" not in out and not re.search(r"job-\d ━", out)  # no live bars when piped
    assert management.queue("lesson15_progress") is None
    assert [p for p in sandbox_processes() if "celery" in str(p)] == []


def test_demo_on_a_terminal_draws_live_bars():
    main, child = pty.openpty()
    demo = subprocess.Popen([sys.executable, "-m", "lessons", "run", "15"], cwd=ROOT,
                            stdin=child, stdout=child, stderr=child, env=os.environ.copy())
    os.close(child)
    chunks = []

    def over():
        """Read what the demo drew (waiting up to 1 s for it); True once it is over."""
        ready, _, _ = select.select([main], [], [], 1)
        if not ready:
            return demo.poll() is not None
        try:
            data = os.read(main, 65536)
        except OSError:  # the terminal closed: the demo is over
            return True
        chunks.append(data)
        return not data

    try:
        eventually(over, timeout=90, interval=0)  # the select() in over() is the pause
        demo.wait(timeout=30)
    finally:
        if demo.poll() is None:
            end_demo(demo)
        os.close(main)
    out = b"".join(chunks).decode("utf-8", "replace")
    assert demo.returncode == 0, out
    assert "Live bars below" in out
    assert "━" in out and "\x1b[" in out  # rich redrew its bars in place
    assert re.search(r"job-3 .*14/14", out)
    assert re.search(r"All \d+ facts hold\.", out) and "Traceback" not in out
    assert [p for p in sandbox_processes() if "celery" in str(p)] == []


def test_ignore_result_still_stores_progress_but_never_success(redis_client):
    """What the README says of ignore_result: update_state() still writes PROGRESS to the backend,
    but the return value is not stored, so the key keeps the last PROGRESS. Read from outside, in
    Redis, where the worker writes."""
    import json
    import signal

    from celery_basics.lesson15_progress.tasks import long_job
    from lessons import broker
    from lessons.broker import celery_env
    from lessons.processes import Process
    from lessons.waiting import wait_until

    def stored(task_id):
        raw = redis_client.get(f"celery-task-meta-{task_id}")
        return json.loads(raw) if raw else None

    worker = Process("worker", [sys.executable, "-m", "celery", "-A", "celery_basics.lesson15_progress.tasks",
                                "worker", "--loglevel", "INFO", "--concurrency", "1", "--without-mingle",
                                "--without-gossip", "--hostname", "ignore@%h"],
                     colour=None, env=celery_env(), stop_signal=signal.SIGTERM, echo=False)
    try:
        worker.wait_for(r"\bready\.", timeout=30)
        task_id = long_job.apply_async(("quiet", 3, 0.2), ignore_result=True).id
        first = wait_until(lambda: stored(task_id), timeout=20, what="the first PROGRESS in Redis")
        assert first["status"] == "PROGRESS" and first["result"]["total"] == 3
        worker.wait_for(rf"long_job\[{task_id}\] succeeded", timeout=20)
        # The task has returned: its result was not stored, its last progress was.
        last = stored(task_id)
        assert last["status"] == "PROGRESS" and last["result"] == {"current": 3, "total": 3}
        redis_client.delete(f"celery-task-meta-{task_id}")
    finally:
        worker.stop()
        broker.delete_queues("lesson15_progress")
    assert [p for p in sandbox_processes() if "celery" in str(p)] == []
