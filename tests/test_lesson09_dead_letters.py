"""Lesson 9 end to end: dead letters from four sources, delayed retry, priorities, a quorum queue's limit."""


import pytest
from helpers import assert_clean_run, interrupt_at, run_lesson, start_lesson

from lessons import broker

QUEUES = ("lesson09.dead_letters", "lesson09.work", "lesson09.ttl", "lesson09.drop_head",
          "lesson09.reject_publish", "lesson09.tasks", "lesson09.tasks.retry",
          "lesson09.tasks.parking_lot", "lesson09.priority", "lesson09.quorum")


def _lesson09_queues(management):
    return {q["name"] for q in management.queues()} & set(QUEUES)


def test_demo_tells_and_checks_the_story_and_keep_shows_the_arguments_from_outside(management):
    result = run_lesson(9, "--keep")
    try:
        out = assert_clean_run(result)
        for fact in ("basic_reject and basic_nack without requeue both dead-lettered: reason 'rejected'",
                     "the drop-head queue kept its 2 newest",
                     "the parking lot holds exactly 'poison pill' (seen with the management API)"):
            assert f"[ok] {fact}" in out, fact
        assert "[!] The broker nacked 'reject-publish 3'" in out
        assert "Done 'flaky-3 invoice' on try 3" in out
        assert "'poison pill' failed 3 times: parked in lesson09.tasks.parking_lot" in out
        assert "x-delivery-count 2): failing" in out
        for reason in ("rejected", "expired", "maxlen"):
            assert f"│ {reason} " in out, out  # a row of the x-death table
        # Kept (--keep), seen from outside.
        queues = {q["name"]: q for q in management.queues()}
        # RabbitMQ 4.x also lists the queue type it filled in ("x-queue-type": "classic").
        arguments = {k: v for k, v in queues["lesson09.tasks"]["arguments"].items() if k != "x-queue-type"}
        assert arguments == {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": "lesson09.tasks.retry"}
        assert queues["lesson09.tasks"]["type"] == "classic"
        assert queues["lesson09.tasks.retry"]["arguments"]["x-message-ttl"] == 300
        assert queues["lesson09.drop_head"]["arguments"]["x-overflow"] == "drop-head"
        assert queues["lesson09.reject_publish"]["arguments"]["x-overflow"] == "reject-publish-dlx"
        assert queues["lesson09.quorum"]["type"] == "quorum"
        assert queues["lesson09.quorum"]["arguments"]["x-delivery-limit"] == 2
        assert all(q["durable"] for name, q in queues.items() if name in QUEUES)
        assert broker.queue_depth("lesson09.dead_letters") == 8  # 7 from the tour + the poison message
        parked = management.peek("lesson09.tasks.parking_lot")
        assert parked[0]["payload"] == "poison pill" and parked[0]["properties"]["headers"]["tries"] == 3
    finally:
        broker.delete_queues(*QUEUES)
        broker.delete_exchanges("lesson09.dlx")


def test_retry_worker_by_hand_in_two_terminals():
    sent = run_lesson(9, "flaky-2 again", role="new_task")
    assert sent.returncode == 0 and "[x] Sent 'flaky-2 again'" in sent.stdout
    worked = run_lesson(9, "--max-messages", "1", role="retry_worker", timeout=20)
    try:
        assert worked.returncode == 0, worked.stdout
        assert "Got 'flaky-2 again' (try 1 of 3)" in worked.stdout
        assert "Done 'flaky-2 again' on try 2" in worked.stdout
    finally:
        broker.delete_queues(*QUEUES)


def test_other_queue_arguments_are_one_sentence():
    assert run_lesson(9, "--delay", "300", role="new_task").returncode == 0
    try:
        clash = run_lesson(9, "--delay", "5000", role="new_task")
        assert clash.returncode == 1
        assert "Traceback" not in clash.stdout
        assert "The queue 'lesson09.tasks.retry'" in clash.stdout and "x-message-ttl" in clash.stdout
        assert "rabbitmqctl delete_queue" in clash.stdout
    finally:
        broker.delete_queues(*QUEUES)


@pytest.mark.either_broker
def test_interrupted_demo_removes_what_it_declared(management):
    demo = start_lesson(9)
    # At the poison pill's second try the demo waits for the worker: no child is being started.
    out = interrupt_at(demo, "Got 'poison pill' (try 2 of 3)")
    assert demo.returncode == 130, out
    assert "Interrupted. Stopping everything this demo started" in out
    assert "Traceback" not in out
    assert not _lesson09_queues(management), out
    assert "lesson09.dlx" not in {e["name"] for e in management.exchanges()}
