"""Lesson 2 end to end: round-robin, acks after SIGKILL, durability, fair dispatch; then Ctrl+C."""

import re

import pytest
from helpers import assert_clean_run, interrupt_at, run_lesson, sandbox_processes, start_lesson

from lessons import broker


def test_demo_tells_and_checks_the_story_and_keep_leaves_a_durable_empty_queue(management):
    result = run_lesson(2, "--keep")
    try:
        out = assert_clean_run(result)
        assert "3 per worker" in out
        assert re.search(r"worker-2 \|\s+\[x\] Received 'slow-task\.+' \(redelivered\)", out)
        assert "delivery_mode 2" in out
        times = re.search(r"fair dispatch finished sooner: ([\d.]+) s instead of ([\d.]+) s", out)
        assert times, out
        queue = management.queue("task_queue")  # kept (--keep): durable, every task acknowledged
        assert queue is not None and queue["durable"] is True
        assert broker.queue_depth("task_queue") == 0
    finally:
        broker.delete_queues("task_queue")
    assert sandbox_processes() == []  # every worker the demo started is gone


@pytest.mark.either_broker
def test_ctrl_c_stops_the_demo_and_all_its_workers(management):
    demo = start_lesson(2)
    out = interrupt_at(demo, "Waiting for messages", timeout=30)
    assert demo.returncode == 130, out
    assert "Interrupted. Stopping everything this demo started" in out
    assert "Traceback" not in out
    assert sandbox_processes() == []
    # A re-run right after the interrupted one works, starts from a clean queue and, without
    # --keep, removes it at the end.
    assert_clean_run(run_lesson(2))
    assert management.queue("task_queue") is None


def test_an_old_queue_with_other_arguments_is_explained():
    # An earlier experiment left 'task_queue' with a message TTL: the worker's declaration differs.
    # (Not a non-durable queue: RabbitMQ 4.x deprecates transient non-exclusive queues.)
    with broker.channel() as channel:
        channel.queue_declare(queue="task_queue", durable=True, arguments={"x-message-ttl": 60000})
    try:
        result = run_lesson(2, "--max-messages", "1", role="worker", timeout=20)
    finally:
        broker.delete_queues("task_queue")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout
    assert "The queue 'task_queue'" in result.stdout and "already exists with other arguments" in result.stdout
    assert "rabbitmqctl delete_queue" in result.stdout
