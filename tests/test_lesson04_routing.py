"""Lesson 4 end to end: the direct-exchange demo, bad severities, and a receiver by hand."""

from helpers import assert_clean_run, run_lesson
from helpers import start_role as start_lesson_role

from lessons import broker
from lessons.story import eventually

LONG_KEY = "e" * 256


def start_role(module, *args):
    return start_lesson_role(4, module, *args)


def test_demo_checks_the_delivery_table(management):
    out = assert_clean_run(run_lesson(4))
    assert "disk |  [x] error:disk full" in out
    assert "screen |  [x] error:disk full" in out
    assert "screen |  [x] info:user logged in" in out
    assert "disk |  [x] info" not in out
    assert "[x] debug:" not in out
    assert "direct_logs" not in {x["name"] for x in management.exchanges()}
    assert not [q["name"] for q in management.queues()]


def test_receiver_without_severity_prints_usage_and_exits_2():
    result = run_lesson(4, role="receive_logs_direct")
    assert result.returncode == 2
    assert "usage:" in result.stdout and "SEVERITY" in result.stdout
    assert "the following arguments are required" in result.stdout
    assert "Traceback" not in result.stdout


def test_keys_over_255_bytes_are_refused_with_a_sentence(management):
    for role, args in (("receive_logs_direct", ["info", LONG_KEY]),
                       ("emit_log_direct", [LONG_KEY, "hello"])):
        result = run_lesson(4, *args, role=role)
        assert result.returncode == 2, result.stdout
        assert "at most 255 bytes; this one has 256." in result.stdout
        assert "Traceback" not in result.stdout
    # Refused before any connection: nothing was declared on the broker.
    assert "direct_logs" not in {x["name"] for x in management.exchanges()}


def test_receiver_by_hand_two_bindings_then_ctrl_c(management):
    receiver = start_role("receive_logs_direct", "warning", "error")
    try:
        queue = receiver.wait_for(r"\[\*\] Queue (amq\.gen-\S+) bound").group(1)
        receiver.wait_for(r"\[\*\] Waiting for logs")
        keys = sorted((b["destination"], b["routing_key"]) for b in management.bindings("direct_logs"))
        assert keys == [(queue, "error"), (queue, "warning")]
        for severity in ("info", "error"):
            assert run_lesson(4, severity, "by hand", role="emit_log_direct").returncode == 0
        receiver.wait_for(r"\[x\] error:by hand")
        assert "[x] info:" not in receiver.output
        receiver.interrupt()  # Ctrl+C
        assert receiver.wait(timeout=10) == 0
        assert "Traceback" not in receiver.output and "Interrupted" in receiver.output
        # The broker drops an exclusive queue (and its bindings) a moment after the connection goes.
        assert eventually(lambda: management.bindings("direct_logs") == [], timeout=5)
    finally:
        receiver.stop()
        broker.delete_exchanges("direct_logs")
