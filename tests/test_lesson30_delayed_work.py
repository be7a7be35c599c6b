"""Lesson 30 end to end, on a node of its own (and the session's Redis database): the demo runs
once for the module, and its output and the broker afterwards are checked; then Ctrl+C."""

import glob
import os
import re
import signal

import pytest
import redis
from helpers import (
    assert_clean_run,
    end_demo,
    lesson_processes,
    read_until,
    run_lesson,
    start_lesson,
)
from shared_broker import assert_unchanged, settings

from lessons.management import Management
from lessons.nodes import RABBITMQ4_ROOT, registered_nodes
from lessons.waiting import eventually

NODE = "l30"
PACKAGE = "production.lesson30_delayed_work"


def leftover_folders() -> list[str]:
    return glob.glob(f"/tmp/course-{NODE}-*") + glob.glob(f"{RABBITMQ4_ROOT}/tmp/course-{NODE}-*")


def redis_leftovers() -> list[str]:
    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5, decode_responses=True)
    held = ["unacked"] if client.exists("unacked") and client.hlen("unacked") else []  # kombu's held tasks
    return list(client.scan_iter("*lesson30*")) + held


def assert_nothing_left(before: dict) -> None:
    assert eventually(lambda: NODE not in registered_nodes(), timeout=30), registered_nodes()
    assert leftover_folders() == []
    assert lesson_processes(PACKAGE) == []
    assert redis_leftovers() == []
    api = Management()
    assert [q["name"] for q in api.queues() if "lesson30" in q["name"] or q["name"].startswith("celery_delayed")] == []
    assert [e["name"] for e in api.exchanges() if "lesson30" in e["name"] or e["name"].startswith("celery_delayed")] == []
    assert_unchanged(before)


@pytest.fixture(scope="module")
def demo():
    before = settings()
    result = run_lesson(30, timeout=150)
    return {"out": result.stdout, "result": result, "before": before,
            "version": Management().overview()["rabbitmq_version"]}


@pytest.mark.timeout(200)
def test_the_demo_checks_every_fact(demo):
    out = assert_clean_run(demo["result"])
    seconds = float(re.search(r"All \d+ facts hold\. \(([\d.]+) s\)", out).group(1))
    print(f"lesson 30's demo: {seconds:.1f} s on RabbitMQ {demo['version']}")
    assert_nothing_left(demo["before"])


def test_classic_queue_the_worker_holds_the_tasks(demo):
    out = demo["out"]
    if demo["version"].startswith("3."):
        assert "[ok] the management API shows lesson30_classic: 0 ready, 6 unacknowledged" in out
        assert "[ok] the worker raised its channel's prefetch (global QoS) from 4 to 10" in out
        assert "[ok] the task sent for now ran at once; the held ones wait" in out
        assert "the tasks it held are back in the queue, ready (6 ready, 0 unacknowledged)" in out
    else:
        assert "[ok] the management API shows lesson30_classic: 4 unacknowledged (the consumer's prefetch, 4), 3 ready" in out
        assert "[ok] Celery raised the prefetch to 8, but on 4.x that is the channel's value" in out
        assert "the tasks it held are back in the queue, ready (7 ready, 0 unacknowledged)" in out


def test_the_consumer_timeout_per_version(demo):
    out = demo["out"]
    assert re.search(r"\[ok\] worker-3 logged: 'Exchange lesson30_qdirect is a direct exchange and native delayed "
                     r"delivery do not support direct exchanges\.'", out)
    assert re.search(r"\[ok\] worker_eta_task_limit = 4: worker-2 took 4 and left [23] in the queue", out)
    if demo["version"].startswith("3."):
        assert re.search(r"worker-2 \| Unrecoverable error: PreconditionFailed\(406, 'PRECONDITION_FAILED - "
                         r"delivery acknowledgement on channel 1 timed out", out)
        assert re.search(r"closed worker-2's channel [4-7]\.\d s after it got the tasks \(PRECONDITION_FAILED\), "
                         r"and Celery's worker stopped: 'Unrecoverable error', exit code 1", out)
        assert "[ok] the quorum queue alike: RabbitMQ 3.10" in out
        assert ("[ok] RabbitMQ 3.10.8 refused a policy with consumer-timeout (Validation failed "
                '[{<<"consumer-timeout">>,3600000}] are not recognised policy settings)') in out
    else:
        assert re.search(r"\[ok\] RabbitMQ 4\.\S+ left worker-2 alone: 4 deliveries of the classic queue "
                         r"unacknowledged for \d+\.\d s", out)
        assert re.search(r"\[ok\] on the quorum queue RabbitMQ 4\.\S+ cancelled worker-3's consumer "
                         r"[4-6]\.\d s after the delivery \(basic.cancel", out)
        assert re.search(r"\[ok\] worker-4's quorum queue lesson30_qpolicy has a policy with consumer-timeout = 1 h: "
                         r"RabbitMQ 4\.\S+ left it alone", out)


def test_native_delayed_delivery_on_the_quorum_queue(demo):
    out = demo["out"]
    assert "[ok] the worker declared 28 celery_delayed_* quorum queues and 29 exchanges" in out
    assert ("the 5 for later wait in the broker (celery_delayed_2: 5), none in the worker "
            "(lesson30_quorum: 0 unacknowledged)") in out
    assert re.search(r"\[ok\] the 5 left the broker when due and ran [4-9]\.\d s after they were sent", out)
    assert "a queue no worker declared, left the delayed queues when due and was dropped" in out


def test_retries_and_their_times(demo):
    out = demo["out"]
    assert re.search(r"\[ok\] retry\(countdown=1\): 3 attempts, \[[\d.]+, [\d.]+\] s apart", out)
    assert re.search(r"\[ok\] autoretry_for \+ retry_backoff: 4 attempts, \[[\d.]+, [\d.]+, [\d.]+\] s apart", out)
    assert ("[ok] the result backend (Redis) holds fetch: SUCCESS 'https://example.org-1 fetched', "
            "charge: FAILURE Unavailable") in out


def test_bad_input_one_line_each(demo):
    out = demo["out"]
    assert re.search(r"bad-input \|  \[x\] countdown=-30: task \S+, eta \S+\+00:00, expires None", out)
    assert re.search(r"bad-input \|  \[x\] eta=datetime.now\(\)\+5s \(naive, local time \+0330\)", out)
    assert re.search(r"bad-input \|  \[x\] eta=now\+3s, expires=now\+1s", out)
    assert "[ok] countdown=-30: published with an eta in the past and run at once" in out
    assert "Celery read it as UTC, so it is due in 3.5 h" in out
    assert "[ok] eta later than expires: the worker logged 'Discarding revoked task' for it (expired)" in out


def test_redis_visibility_timeout_and_shutdown(demo):
    out = demo["out"]
    runs = re.search(r"\[ok\] visibility_timeout 2 s: .* it ran (\d+) times", out)
    assert runs and int(runs.group(1)) >= 2
    assert "[ok] visibility_timeout 3600 s (Celery's default): it ran once" in out
    assert "[ok] cold shutdown (SIGQUIT) with soft shutdown on idle" in out


@pytest.mark.either_broker
@pytest.mark.timeout(180)
def test_ctrl_c_in_the_middle_leaves_nothing():
    before = settings()
    demo = start_lesson(30)
    try:
        read_until(demo, "--- 1. A classic queue", timeout=90)
        demo.send_signal(signal.SIGINT)
        out, _ = demo.communicate(timeout=90)
    finally:
        if demo.poll() is None:
            end_demo(demo)
            demo.communicate()
    assert demo.returncode == 130, out
    assert "Interrupted. Stopping everything this demo started" in out
    assert "Traceback" not in out
    assert_nothing_left(before)
