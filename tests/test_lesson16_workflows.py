"""Lesson 16 end to end: canvas workflows on a real worker, then the roles by hand."""

import json
import os
import re
import signal
import subprocess
import sys

from helpers import ROOT, assert_clean_run, lesson_processes, run_lesson

from lessons import broker
from lessons.story import wait_until

QUEUE = "lesson16_workflows"


def results(out: str) -> dict:
    return {m[1]: json.loads(m[2]) for m in re.finditer(r"\[\.\] ([\w-]+): (.*)", out)}


def test_demo_runs_every_workflow_and_checks_each_result(management):
    out = assert_clean_run(run_lesson(16))
    got = results(out)
    assert got["signature"] == 4 and got["partial"] == 15 and got["chain"] == 33
    assert got["group"] == [i * i for i in range(10)]
    assert got["report"] == {"databases": ["eu", "us", "asia"], "orders": 12, "revenue": 1254, "gaps": []}
    assert got["map"] == [6, 30, 100] and got["starmap"] == [2, 4, 6]
    assert got["chunks"] == {"tasks": 10, "results": 100, "total": 9900}
    assert got["immutable"] == "notified: the sum is ready"
    assert got["chord-error"] == {"state": "FAILURE", "error": "ChordError"}
    assert got["partial-report"]["gaps"] == ["legacy"]
    assert re.search(r"\[!\] report \S+ failed: ChordError\('Dependency \S+ raised LookupError", out)
    for fact in ("the signature add.s(2, 2) ran on the worker: 4",
                 "add(2, 2) | mul(8) | add(1) = ((2 + 2) * 8) + 1 = 33",
                 "xsum.map: one task summed 3 lists: [6, 30, 100]"):
        assert f"[ok] {fact}" in out, fact
    # Nothing left behind: the lesson's queue is gone and no worker survives.
    assert management.queue(QUEUE) is None
    assert QUEUE not in {exchange["name"] for exchange in management.exchanges()}
    assert lesson_processes("lesson16_workflows") == []


def test_worker_and_client_in_two_terminals():
    worker = subprocess.Popen(
        [sys.executable, "-m", "lessons", "run", "16", "--role", "worker", "--", "--concurrency", "1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        client = run_lesson(16, "report", "failing", role="client", timeout=60)
        assert client.returncode == 0, client.stdout
        got = results(client.stdout)
        assert got["report"]["revenue"] == 1254
        assert got["chord-error"]["error"] == "ChordError"
        assert "Traceback" not in client.stdout
    finally:
        worker.send_signal(signal.SIGTERM)  # warm shutdown, as Ctrl+C in the terminal
        worker_out, _ = worker.communicate(timeout=30)
    assert "celery@" in worker_out and "ready." in worker_out
    assert "Lesson 16, role worker: celery -A tasks worker --loglevel INFO --concurrency 1" in worker_out
    if os.geteuid() == 0:  # the harness silences Celery's warning about running as root
        assert "superuser privileges" not in worker_out
    assert "query_sales" in worker_out
    wait_until(lambda: lesson_processes("lesson16_workflows") == [], timeout=10, what="the worker to exit")
    assert broker.queue_depth(QUEUE) == 0
    broker.delete_queues(QUEUE)
    broker.delete_exchanges(QUEUE)


def test_unknown_workflow_is_a_sentence():
    result = run_lesson(16, "chian", role="client")
    assert result.returncode == 2
    assert "no workflow named chian; choose from signatures, chain" in result.stdout
    assert "Traceback" not in result.stdout
