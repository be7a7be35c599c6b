"""Lesson 13 end to end: result backends and task states against real workers."""

import re

from helpers import assert_clean_run, run_lesson, sandbox_processes

from lessons import broker


def test_demo_shows_states_results_and_their_pitfalls(management, redis_client):
    out = assert_clean_run(run_lesson(13, timeout=120))
    assert out.index("[.] state STARTED") < out.index("[.] state SUCCESS")
    assert "get(timeout=0.5) raised TimeoutError" in out
    assert "raised unexpected: ZeroDivisionError('division by zero')' and its traceback, hidden here" in out
    assert "get() raised NotRegistered: 'lesson13.no_such_task' (state FAILURE)" in out
    assert "AsyncResult('no-such-task-id').state is PENDING" in out
    assert "raised NotImplementedError: No result backend is configured." in out
    # From outside: the Redis result of the first task is there, with its expiry.
    first = re.search(r"Sent slow_add\(2, 3\), task id (\S+)", out).group(1)
    assert redis_client.get(f"celery-task-meta-{first}") is not None
    assert 0 < redis_client.ttl(f"celery-task-meta-{first}") <= 600
    # The rpc:// result never went to Redis.
    rpc_id = re.search(r"Sent add\(2, 2\) to the rpc:// app, task id (\S+)", out).group(1)
    assert redis_client.get(f"celery-task-meta-{rpc_id}") is None
    # Nothing left on the broker but Celery's own exchanges, and no worker alive.
    assert [q["name"] for q in management.queues()] == []
    assert [p for p in sandbox_processes() if "celery" in str(p)] == []


def test_unknown_task_with_no_worker_stays_pending_until_the_timeout():
    result = run_lesson(13, "unknown", role="client", timeout=40)
    # No worker at all: even the first call gets no answer within its timeout.
    assert result.returncode == 0, result.stdout
    assert "get() raised TimeoutError" in result.stdout and "(state PENDING)" in result.stdout
    assert "get(timeout=1) raised TimeoutError: state PENDING" in result.stdout
    assert broker.queue_depth("lesson13_results") == 1
    assert broker.queue_depth("lesson13_nobody") == 1
    broker.delete_queues("lesson13_results", "lesson13_nobody")
    broker.delete_exchanges("lesson13_results", "lesson13_nobody")


def test_a_made_up_id_is_pending():
    result = run_lesson(13, "made-up", role="client")
    assert result.returncode == 0 and "state is PENDING" in result.stdout
