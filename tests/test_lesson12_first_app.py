"""Lesson 12 end to end: the first Celery app against a real worker, then the broker down."""

import json
import os
import re
import signal
import subprocess
import sys
import time

from helpers import assert_clean_run, launch_role, read_until, run_lesson, sandbox_processes

from lessons import broker, catalog

LESSON = catalog.get(12)
DEAD_BROKER = "amqp://course:course@127.0.0.1:1/%2F"


def test_demo_runs_a_task_and_shows_its_message(management):
    out = assert_clean_run(run_lesson(12, timeout=120))
    # The peeked message: protocol v2 headers and a JSON body.
    assert re.search(r"headers\.task\s+│ tasks\.add", out)
    assert re.search(r"headers\.lang\s+│ py", out)
    assert 'Body (JSON: [args, kwargs, embed]): [[2, 2], {}, {"callbacks": null' in out
    # The worker's own log lines.
    assert re.search(r"Task tasks\.add\[[0-9a-f-]+\] succeeded in .*: 4", out)
    assert "Discarding revoked task" in out
    figures = re.search(r"median ([\d.]+) ms.*\n.*500 tasks: .* ([\d.]+) tasks/s", out)
    assert figures, out
    print(f"measured: round trip median {figures.group(1)} ms, {figures.group(2)} tasks/s")
    # Nothing left: the queues are gone and no worker survives.
    assert management.queue("celery") is None and management.queue("lesson12_urgent") is None
    assert [p for p in sandbox_processes() if "celery" in str(p)] == []


def test_a_task_sent_with_no_worker_waits_in_the_queue(management, redis_client):
    sent = run_lesson(12, "6", "7", "--no-wait", role="client")
    assert sent.returncode == 0, sent.stdout
    task_id = re.search(r"task id (\S+)", sent.stdout).group(1)
    message = management.peek("celery")[0]
    assert message["properties"]["headers"]["id"] == task_id
    assert json.loads(message["payload"])[0] == [6, 7]
    assert redis_client.get(f"celery-task-meta-{task_id}") is None  # nothing ran: no result yet
    broker.delete_queues("celery")
    broker.delete_exchanges("celery")


def test_client_with_the_broker_down_fails_fast_with_a_sentence():
    started = time.monotonic()
    result = launch_role(12, "client", env={"AMQP_URL": DEAD_BROKER})
    print(f"the client gave up after {time.monotonic() - started:.1f} s")
    assert result.returncode == 1, result.stdout
    assert "Cannot reach the broker at amqp://course:***@127.0.0.1:1/" in result.stdout
    assert "Traceback" not in result.stdout


def test_worker_with_the_broker_down_says_so_and_keeps_trying():
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tasks", "worker", "--loglevel", "INFO", "--concurrency", "1"],
        cwd=LESSON.folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "AMQP_URL": DEAD_BROKER,
             "PYTHONWARNINGS": "ignore:You're running the worker with superuser privileges"},
    )
    try:
        seen = read_until(worker, "Trying again in", timeout=20)
        assert "consumer: Cannot connect to amqp://course:**@127.0.0.1:1//: [Errno 111] Connection refused." in seen
        assert "Traceback" not in seen
        assert worker.poll() is None, "the worker waits for the broker instead of exiting"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=5)
    assert worker.returncode is not None
