"""Lesson 1 end to end: the demo against the real broker, then a look from outside."""

from helpers import assert_clean_run, run_lesson

from lessons import broker


def test_demo_tells_and_checks_the_story(management):
    out = assert_clean_run(run_lesson(1))
    assert "[x] Sent 'Hello World!'" in out
    assert "[x] Received 'Hello World!'" in out
    assert "[x] Received 'Hello again!'" in out
    # The demo removes its queue when it ends.
    assert management.queue("hello") is None


def test_keep_leaves_the_queue_for_a_look(management):
    assert_clean_run(run_lesson(1, "--keep"))
    queue = management.queue("hello")
    # Durable and quorum: RabbitMQ 4.x deprecates transient non-exclusive queues.
    assert queue is not None and queue["durable"] is True and queue["type"] == "quorum"
    assert queue["exclusive"] is False and queue["auto_delete"] is False
    assert broker.queue_depth("hello") == 0
    broker.delete_queues("hello")


def test_roles_by_hand_in_two_terminals():
    sent = run_lesson(1, "Hi from terminal 1", role="send")
    assert sent.returncode == 0 and "[x] Sent 'Hi from terminal 1'" in sent.stdout
    received = run_lesson(1, "--max-messages", "1", role="receive", timeout=20)
    assert received.returncode == 0, received.stdout
    assert "[x] Received 'Hi from terminal 1'" in received.stdout
    broker.delete_queues("hello")
