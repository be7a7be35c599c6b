"""Lesson 3 end to end: the fanout demo, then a receiver by hand seen from outside."""

from helpers import assert_clean_run, run_lesson
from helpers import start_role as start_lesson_role

from lessons import broker
from lessons.story import eventually


def start_role(name, module, *args):
    return start_lesson_role(3, module, *args, name=name)


def test_demo_tells_and_checks_the_story(management):
    out = assert_clean_run(run_lesson(3))
    assert out.count("[x] error: disk full") == 2  # both early receivers
    assert out.count("[x] info: one more") == 3  # and the late one
    assert "[x] info: is anybody there?" not in out
    # The demo deletes its exchange; the temporary queues went with their receivers.
    assert "logs" not in {x["name"] for x in management.exchanges()}
    assert not [q["name"] for q in management.queues() if q["name"].startswith("amq.gen-")]


def test_keep_leaves_the_fanout_exchange(management):
    assert_clean_run(run_lesson(3, "--keep"))
    logs = {x["name"]: x for x in management.exchanges()}["logs"]
    assert logs["type"] == "fanout"
    broker.delete_exchanges("logs")


def test_receiver_by_hand_binding_seen_from_outside_then_ctrl_c(management):
    receiver = start_role("receiver", "receive_logs")
    try:
        queue = receiver.wait_for(r"\[\*\] Queue (amq\.gen-\S+) bound").group(1)
        receiver.wait_for(r"\[\*\] Waiting for logs")
        bindings = management.bindings("logs")
        assert [(b["destination"], b["destination_type"]) for b in bindings] == [(queue, "queue")]
        sent = run_lesson(3, "warning:", "by", "hand", role="emit_log")
        assert sent.returncode == 0 and "[x] Sent 'warning: by hand'" in sent.stdout
        receiver.wait_for(r"\[x\] warning: by hand")
        receiver.interrupt()  # Ctrl+C
        assert receiver.wait(timeout=10) == 0
        assert "Traceback" not in receiver.output
        assert "Interrupted" in receiver.output
        # The broker drops an exclusive queue when it notices the connection is gone: a moment later.
        assert eventually(lambda: management.queue(queue) is None, timeout=5)
        assert management.bindings("logs") == []
    finally:
        receiver.stop()
        broker.delete_exchanges("logs")


def test_bad_argument_gives_usage():
    result = run_lesson(3, "--max-messages", "many", role="receive_logs")
    assert result.returncode == 2
    assert "usage:" in result.stdout and "invalid int value" in result.stdout
    assert "Traceback" not in result.stdout


def test_an_old_exchange_of_another_type_is_explained_with_a_command_that_works(management):
    # An earlier experiment left 'logs' as a direct exchange: declaring it fanout is refused.
    # rabbitmqctl cannot delete an exchange, so the sentence gives the HTTP API's DELETE.
    import shlex
    import subprocess

    from lessons import settings

    with broker.channel() as channel:
        channel.exchange_declare(exchange="logs", exchange_type="direct")
    try:
        result = run_lesson(3, "hello", role="emit_log", timeout=20)
        assert result.returncode == 1 and "Traceback" not in result.stdout
        assert "The exchange 'logs'" in result.stdout and "already exists with other arguments" in result.stdout
        command = result.stdout.split("Remove it and run again: ", 1)[1].split(" (or delete it", 1)[0]
        assert command.startswith("curl -u ") and " -X DELETE " in command
        # Run it as printed, with the password that curl would ask for.
        argv = shlex.split(command)
        argv[argv.index("-u") + 1] += ":" + settings.management_credentials()[1]
        subprocess.run([*argv, "--fail", "--silent"], check=True, timeout=20)
        assert "logs" not in {x["name"] for x in management.exchanges()}
    finally:
        broker.delete_exchanges("logs")
