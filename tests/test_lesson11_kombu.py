"""Lesson 11 end to end: the kombu producer and worker on RabbitMQ and on Redis, then faults."""

import re

from helpers import assert_clean_run, launch_role, run_lesson

DEAD_BROKER = "amqp://course:course@127.0.0.1:1/%2F"


def test_demo_runs_the_same_code_on_both_transports(management, redis_client):
    out = assert_clean_run(run_lesson(11))
    for transport in ("amqp", "redis"):
        done = sorted(int(n) for n in re.findall(rf"{transport}-w\d \|  \[x\] Done #(\d+)", out))
        assert done == list(range(1, 13)), f"{transport}: {done}"
        assert f"[ok] {transport}: every one of the 12 tasks was done exactly once" in out
    assert "as application/json" in out
    assert "Cannot reach the broker at amqp://course:***@127.0.0.1:1/" in out
    # Nothing left behind: not on RabbitMQ, not in Redis.
    assert management.queue("kombu_task_queue") is None
    assert "kombu_tasks" not in {e["name"] for e in management.exchanges()}
    assert redis_client.keys("*kombu_task*") == []


def test_roles_by_hand_on_redis(redis_client):
    sent = run_lesson(11, "--broker", "redis", "First.", "Second..", role="new_task")
    assert sent.returncode == 0, sent.stdout
    assert sent.stdout.count("[x] Sent") == 2
    assert redis_client.llen("kombu_task_queue") == 2  # a plain Redis list is the queue
    worked = run_lesson(11, "--broker", "redis", "--max-messages", "2", "--seconds-per-dot", "0",
                        role="worker", timeout=20)
    assert worked.returncode == 0, worked.stdout
    assert "[x] Received {'seq': 1, 'task': 'First.'} as application/json" in worked.stdout
    assert "[x] Done #2" in worked.stdout
    assert redis_client.llen("kombu_task_queue") == 0
    redis_client.delete("_kombu.binding.kombu_tasks", "_kombu.binding_permanent.kombu_tasks")


def test_worker_with_the_broker_down_retries_then_says_why():
    # Through the launcher: 'lessons run' would refuse to start with the broker down.
    result = launch_role(11, "worker", "--connect-retries", "1", env={"AMQP_URL": DEAD_BROKER})
    assert result.returncode == 1, result.stdout
    assert "[!] Cannot reach the broker ([Errno 111] Connection refused). Trying again in" in result.stdout
    assert "Cannot reach the broker at amqp://course:***@127.0.0.1:1/" in result.stdout
    assert "Traceback" not in result.stdout
