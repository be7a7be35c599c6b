"""Lesson 15 end to end: progress read from the result backend, piped and on a terminal."""

import os
import pty
import re
import select
import subprocess
import sys
import time

from helpers import ROOT, assert_clean_run, run_lesson, sandbox_processes


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
    chunks, deadline = [], time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 1)
            if ready:
                try:
                    data = os.read(main, 65536)
                except OSError:  # the terminal closed: the demo is over
                    break
                if not data:
                    break
                chunks.append(data)
            elif demo.poll() is not None:
                break
        demo.wait(timeout=30)
    finally:
        if demo.poll() is None:
            demo.kill()
        os.close(main)
    out = b"".join(chunks).decode("utf-8", "replace")
    assert demo.returncode == 0, out
    assert "Live bars below" in out
    assert "━" in out and "\x1b[" in out  # rich redrew its bars in place
    assert re.search(r"job-3 .*14/14", out)
    assert re.search(r"All \d+ facts hold\.", out) and "Traceback" not in out
    assert [p for p in sandbox_processes() if "celery" in str(p)] == []
