"""Lesson 5 end to end: the topic match table, bad patterns, and a receiver by hand."""


import pytest
from helpers import assert_clean_run, run_lesson, start_role

from lessons import broker
from lessons.story import eventually

LESSON = "rabbitmq_basics.lesson05_topics"


def test_demo_checks_the_match_table(management):
    out = assert_clean_run(run_lesson(5))
    assert "Which routing key reached which pattern" in out
    assert out.count("[x] anonymous:a line for anonymous") == 1  # only '#'
    assert out.count("[x] kern.critical:a line for kern.critical") == 5
    assert "topic_logs" not in {x["name"] for x in management.exchanges()}
    assert not management.queues()


def test_receiver_without_pattern_prints_usage_and_exits_2():
    result = run_lesson(5, role="receive_logs_topic")
    assert result.returncode == 2
    assert "usage:" in result.stdout and "PATTERN" in result.stdout
    assert "Traceback" not in result.stdout


@pytest.mark.parametrize("bad, sentence", [
    ("kern..critical", "has an empty word"),
    (".critical", "has an empty word"),
    ("kern.", "has an empty word"),
    ("kern*", "mixes a wildcard into a word"),
    ("k" * 256, "at most 255 bytes; this one has 256."),
])
def test_bad_patterns_are_refused_with_a_sentence(bad, sentence, management):
    result = run_lesson(5, "kern.*", bad, role="receive_logs_topic")
    assert result.returncode == 2, result.stdout
    assert sentence in result.stdout
    assert "Traceback" not in result.stdout
    assert "topic_logs" not in {x["name"] for x in management.exchanges()}


def test_routing_key_over_255_bytes_is_refused():
    result = run_lesson(5, "k" * 256, "hello", role="emit_log_topic")
    assert result.returncode == 2
    assert "at most 255 bytes; this one has 256." in result.stdout
    assert "Traceback" not in result.stdout


def test_receiver_by_hand_pattern_bound_then_ctrl_c(management):
    receiver = start_role(5, "receive_logs_topic", "*.critical", name="receiver")
    try:
        queue = receiver.wait_for(r"\[\*\] Queue (amq\.gen-\S+) bound").group(1)
        receiver.wait_for(r"\[\*\] Waiting for logs")
        bindings = management.bindings("topic_logs")
        assert [(b["destination"], b["routing_key"]) for b in bindings] == [(queue, "*.critical")]
        for key in ("kern.info", "kern.disk.critical", "auth.critical"):
            assert run_lesson(5, key, "by hand", role="emit_log_topic").returncode == 0
        receiver.wait_for(r"\[x\] auth.critical:by hand")
        assert receiver.count(r"\[x\] ") == 1
        receiver.interrupt()  # Ctrl+C
        assert receiver.wait(timeout=10) == 0
        assert "Traceback" not in receiver.output and "Interrupted" in receiver.output
        # The broker drops an exclusive queue when it notices the connection is gone: a moment later.
        assert eventually(lambda: management.queue(queue) is None, timeout=5)
    finally:
        receiver.stop()
        broker.delete_exchanges("topic_logs")
