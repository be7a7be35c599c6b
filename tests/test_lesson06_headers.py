"""Lesson 6 end to end: the headers match table, bad headers, and a receiver by hand."""

import re

import pytest
from helpers import assert_clean_run, run_lesson, start_role

from lessons import broker
from lessons.story import eventually

LESSON = "rabbitmq_basics.lesson06_headers"


def test_demo_checks_the_match_table(management):
    out = assert_clean_run(run_lesson(6))
    assert "Which message reached which binding" in out
    # Each receiver prints the headers as they arrive: RabbitMQ 3.10 keeps the order they were
    # sent in, 4.x sorts them by name. A headers table is a map: the order means nothing.
    assert len(re.findall(r"\[x\] (?:source=kern,severity=critical|severity=critical,source=kern):m1", out)) == 3
    assert ":m4" not in out.replace("'m4'", "")  # sent, received by nobody
    assert ":m6" not in out.replace("'m6'", "")
    assert "headers_logs" not in {x["name"] for x in management.exchanges()}
    assert not management.queues()


def test_receiver_without_headers_prints_usage_and_exits_2():
    result = run_lesson(6, role="receive_headers")
    assert result.returncode == 2
    assert "usage:" in result.stdout and "KEY=VALUE" in result.stdout
    assert "Traceback" not in result.stdout


@pytest.mark.parametrize("role, args, sentence", [
    ("receive_headers", ["severity"], "is not a header: write KEY=VALUE"),
    ("receive_headers", ["=critical"], "is not a header: write KEY=VALUE"),
    ("receive_headers", ["x-match=any"], "are binding options, not matched against messages"),
    ("receive_headers", ["h" * 256 + "=1"], "at most 255 bytes; this one has 256."),
    ("receive_headers", ["--match", "some", "a=b"], "invalid choice: 'some'"),
    ("emit_headers", ["h" * 256 + "=1"], "at most 255 bytes; this one has 256."),
    ("emit_headers", ["severity:critical"], "is not a header: write KEY=VALUE"),
])
def test_bad_headers_are_refused_with_a_sentence(role, args, sentence, management):
    result = run_lesson(6, *args, role=role)
    assert result.returncode == 2, result.stdout
    assert "usage:" in result.stdout and sentence in result.stdout
    assert "Traceback" not in result.stdout
    assert "headers_logs" not in {x["name"] for x in management.exchanges()}


def test_receiver_by_hand_binding_arguments_then_ctrl_c(management):
    receiver = start_role(6, "receive_headers", "--match", "any", "format=pdf", "type=report",
                          name="receiver")
    try:
        queue = receiver.wait_for(r"\[\*\] Queue (amq\.gen-\S+) bound").group(1)
        receiver.wait_for(r"\[\*\] Waiting for logs")
        [binding] = management.bindings("headers_logs")
        assert binding["destination"] == queue
        assert binding["arguments"] == {"x-match": "any", "format": "pdf", "type": "report"}
        for headers in (["format=zip"], ["format=pdf"]):
            assert run_lesson(6, *headers, "--message", "by hand", role="emit_headers").returncode == 0
        receiver.wait_for(r"\[x\] format=pdf:by hand")
        assert "format=zip" not in receiver.output
        receiver.interrupt()  # Ctrl+C
        assert receiver.wait(timeout=10) == 0
        assert "Traceback" not in receiver.output and "Interrupted" in receiver.output
        # The broker drops an exclusive queue a moment after the connection goes.
        assert eventually(lambda: management.queue(queue) is None, timeout=5)
    finally:
        receiver.stop()
        broker.delete_exchanges("headers_logs")
