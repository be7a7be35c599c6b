"""Lesson 23 end to end: the demo (pika and Node.js producers), then the messages from outside."""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import assert_clean_run, lesson_processes, run_lesson

from lessons import broker
from lessons.runner import Process, celery_env

ROOT = Path(__file__).resolve().parent.parent
LESSON = "celery_basics.lesson23_other_languages"
FOLDER = ROOT / "celery_basics" / "lesson23_other_languages"
QUEUE = "lesson23_other_languages"

# Skipped only outside CI: .ci/run installs Node.js and the lesson's npm packages, so there a
# missing Node producer is a failure, not a skip.
needs_node = pytest.mark.skipif(
    not os.environ.get("CI") and (shutil.which("node") is None or not (FOLDER / "node_modules" / "amqplib").is_dir()),
    reason="Node.js and 'npm ci --prefix celery_basics/lesson23_other_languages' are needed (.ci/run does it)")


def node(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(FOLDER / "producer.js"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def pika_producer(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", f"{LESSON}.producer", *args], capture_output=True,
                          text=True, timeout=30, cwd=ROOT)


@needs_node
def test_demo_tells_and_checks_the_story(management, redis_client):
    out = assert_clean_run(run_lesson(23))
    assert '"task": "lesson23.add"' in out and '"argsrepr": "[4]"' in out
    assert "pika |  [.] Got 9" in out
    assert "node |  [.] Got 5" in out  # the Node.js producer really ran
    assert "[!] Timed out: no result for lesson23.add" in out
    assert "Received unregistered task of type 'lesson23.nope'" in out
    assert "Traceback" not in out
    assert management.queue(QUEUE) is None
    assert QUEUE not in [e["name"] for e in management.exchanges()]
    assert lesson_processes("celery_basics.lesson23_other_languages") == []
    # The demo removed its results from Redis.
    leftovers = [json.loads(redis_client.get(key) or "{}").get("task_id") for key in redis_client.keys("celery-task-meta-*")]
    assert not [task_id for task_id in leftovers if task_id and task_id in out]


@needs_node
def test_messages_match_celerys_own_and_bad_task_names(management, redis_client):
    from celery_basics.lesson23_other_languages.tasks import add

    with broker.channel() as channel:  # the queue as the worker declares it
        channel.queue_declare(QUEUE, durable=True)
    worker = None
    try:
        # No worker yet: the messages wait, and the management API shows them side by side.
        by_celery = add.apply_async((1, 2))
        sent = pika_producer("--args", "[1, 2]", "--timeout", "0.3")
        assert sent.returncode == 1 and "[!] Timed out" in sent.stdout
        node_sent = node("--args", "[1, 2]", "--timeout", "0.3")
        assert node_sent.returncode == 1 and "[!] Timed out" in node_sent.stdout
        messages = management.peek(QUEUE, 3)
        assert len(messages) == 3
        celery_msg, pika_msg, node_msg = messages
        for message in (pika_msg, node_msg):
            assert json.loads(message["payload"]) == json.loads(celery_msg["payload"])  # [[1, 2], {}, embed]
            headers, reference = message["properties"]["headers"], celery_msg["properties"]["headers"]
            for key in ("lang", "task", "root_id", "parent_id", "group", "retries", "timelimit", "eta", "expires"):
                assert headers[key] == reference[key] or key == "root_id", key
            assert headers["id"] == headers["root_id"] == message["properties"]["correlation_id"]
            for key in ("content_type", "content_encoding", "delivery_mode", "priority"):
                assert message["properties"][key] == celery_msg["properties"][key], key
        assert node_msg["properties"]["headers"]["origin"].startswith("node@")

        worker = Process("worker", [sys.executable, "-m", "celery", "-A", f"{LESSON}.tasks", "worker",
                                    "--loglevel", "INFO", "--concurrency", "1", "--without-mingle",
                                    "--without-gossip", "--hostname", "t23@%h"],
                         colour=None, env=celery_env(), stop_signal=signal.SIGTERM, echo=False)
        worker.wait_for(r"\bready\.", timeout=30)
        worker.wait_for(r"lesson23\.add\[\S+\] succeeded in \S+: 3", count=3)  # all three ran
        assert by_celery.get(timeout=5) == 3

        # A task name no worker knows, from Node.js: rejected, and the wait ends with the reason.
        unknown = node("--task", "lesson23.nope", "--timeout", "5")
        assert unknown.returncode == 2, unknown.stdout + unknown.stderr
        assert "NotRegistered(\"lesson23.nope\")" in unknown.stdout
        assert "No worker knows a task named 'lesson23.nope': it rejected the message." in unknown.stdout
        worker.wait_for(r"Received unregistered task of type 'lesson23.nope'")
        assert worker.count(r"The message has been ignored and discarded") == 1
        assert broker.queue_depth(QUEUE) == 0

        # Unroutable: a queue nobody declared is an error at once, not a silent loss.
        lost = node("--queue", "lesson23_nobody_here", "--timeout", "1")
        assert lost.returncode == 1 and "No queue 'lesson23_nobody_here'" in lost.stdout
        lost = pika_producer("--queue", "lesson23_nobody_here", "--timeout", "1")
        assert lost.returncode == 1 and "No queue 'lesson23_nobody_here'" in lost.stdout

        # No worker at all: the wait ends with a clear timeout message.
        worker.stop()
        late = node("--timeout", "1")
        assert late.returncode == 1
        assert "[!] Timed out: no result for lesson23.add[" in late.stdout and "after 1 s" in late.stdout
        assert broker.queue_depth(QUEUE) == 1
    finally:
        if worker is not None:
            worker.stop()
        broker.delete_queues(QUEUE)
        broker.delete_exchanges(QUEUE)
    assert lesson_processes("celery_basics.lesson23_other_languages") == []


def test_broker_down_is_a_sentence():
    env = {**os.environ, "AMQP_URL": "amqp://course:course@127.0.0.1:1/%2F"}
    result = subprocess.run([sys.executable, "-m", f"{LESSON}.producer"], capture_output=True, text=True,
                            timeout=30, cwd=ROOT, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Cannot reach RabbitMQ" in result.stderr
    if shutil.which("node") and (FOLDER / "node_modules").is_dir():
        result = subprocess.run(["node", str(FOLDER / "producer.js")], capture_output=True, text=True,
                                timeout=30, cwd=ROOT, env=env)
        assert result.returncode == 1 and "Nothing answers at 127.0.0.1:1" in result.stderr
