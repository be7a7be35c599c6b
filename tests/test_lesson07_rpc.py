"""Lesson 7 end to end: the RPC demo, bad arguments, Ctrl+C, CPU while waiting, error replies."""

import os
import subprocess
import sys

import pika
import pytest
from helpers import ROOT, assert_clean_run, lesson_processes, run_lesson
from helpers import start_role as start_lesson_role

from lessons import broker
from lessons.story import wait_until

LESSON = "rabbitmq_basics.lesson07_rpc"


def start_role(module, *args):
    return start_lesson_role(7, module, *args)


def our_role_processes():
    """Lesson 7 roles running against this test session's vhost (ours, not others')."""
    return lesson_processes("lesson07_rpc")


def test_demo_tells_and_checks_the_story(management):
    out = assert_clean_run(run_lesson(7))
    assert "[!] No reply within 2 s" in out
    assert "[?] Ignoring a reply with correlation_id 'not-yours'" in out
    assert "[!] The server failed: ValueError" in out
    assert "Replies come to amq.rabbitmq.reply-to" in out
    assert out.count("200 calls in") == 2 and "round trips/s" in out
    assert management.queue("rpc_queue") is None
    assert not management.queues()
    assert our_role_processes() == []


def test_client_waits_without_burning_cpu():
    """Measured from outside: the child's own CPU time (getrusage via wait4) over a 2 s wait."""
    process = subprocess.Popen([sys.executable, "-m", f"{LESSON}.rpc_client", "30", "--timeout", "2"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    print(f"rpc_client: {cpu:.3f} s of CPU in all (start-up and imports included) for a 2 s wait")
    assert process.returncode == 1, out
    assert "[!] No reply within 2 s. Is an rpc_server running?" in out
    assert "Traceback" not in out
    assert cpu < 1.0, f"the client used {cpu:.2f} s of CPU while waiting 2 s: a busy loop?"
    broker.delete_queues("rpc_queue")


@pytest.mark.parametrize("args, sentence", [
    (["thirty"], "argument n: invalid int value: 'thirty'"),
    (["2.5"], "argument n: invalid int value: '2.5'"),
    ([], "the following arguments are required: n"),
    (["30", "--timeout", "soon"], "argument --timeout: invalid positive_seconds value: 'soon'"),
    (["30", "--timeout", "0"], "the timeout must be more than 0 seconds, not 0."),
])
def test_bad_client_arguments_print_usage_and_exit_2(args, sentence, management):
    result = run_lesson(7, *args, role="rpc_client")
    assert result.returncode == 2, result.stdout
    assert "usage:" in result.stdout and sentence in result.stdout
    assert "Traceback" not in result.stdout
    assert management.queue("rpc_queue") is None  # refused before connecting


def test_timeout_has_a_default():
    result = run_lesson(7, "--help", role="rpc_client")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())  # argparse wraps its help text
    assert "--timeout TIMEOUT seconds to wait for each reply before giving up (default: 5)" in text


@pytest.mark.either_broker
def test_ctrl_c_while_the_client_waits_and_in_the_server():
    client = start_role("rpc_client", "30", "--timeout", "60")
    server = None
    try:
        client.wait_for(r"\[x\] Requesting fib\(30\)")
        client.interrupt()  # Ctrl+C, while it waits for a reply no server will send
        assert client.wait(timeout=10) == 0
        assert "Interrupted" in client.output and "Traceback" not in client.output
        server = start_role("rpc_server")
        server.wait_for(r"\[x\] Awaiting RPC requests")
        server.interrupt()
        assert server.wait(timeout=10) == 0
        assert "Interrupted" in server.output and "Traceback" not in server.output
    finally:
        client.stop()
        if server is not None:
            server.stop()
        broker.delete_queues("rpc_queue")


def test_server_replies_with_an_error_to_a_second_client(management):
    """A raw pika client (not rpc_client) sends bad requests; every one gets an error reply."""
    server = start_role("rpc_server")
    try:
        server.wait_for(r"\[x\] Awaiting RPC requests")
        consumers = wait_until(  # the management API's consumer list lags a little
            lambda: [c for c in management.get("consumers", management.vhost)
                     if c["queue"]["name"] == "rpc_queue"],
            timeout=10, what="the server's consumer in the management API")
        assert [c["prefetch_count"] for c in consumers] == [1]
        # Durable and quorum, as RabbitMQ's RPC tutorial declares it (not transient non-exclusive).
        queue = management.queue("rpc_queue")
        assert queue["durable"] is True and queue["type"] == "quorum" and queue["exclusive"] is False
        with broker.channel() as channel:
            reply_queue = channel.queue_declare(queue="", exclusive=True).method.queue
            for n, (body, error) in enumerate([(b"abc", "ValueError: invalid literal for int()"),
                                               (b"36", "ValueError: fib(36) would keep this server busy"),
                                               (b"7", None)]):
                channel.basic_publish(exchange="", routing_key="rpc_queue", body=body,
                                      properties=pika.BasicProperties(reply_to=reply_queue,
                                                                      correlation_id=f"c{n}"))
                method, props, reply = wait_until(
                    lambda: (got := channel.basic_get(reply_queue, auto_ack=True))[0] and got,
                    timeout=10, what="the server's reply")
                assert props.correlation_id == f"c{n}"
                if error is None:
                    assert reply == b"13" and not props.headers
                else:
                    assert props.headers["error"].startswith(error)
        assert server.running and server.count(r"\[!\] Request ") == 2
    finally:
        server.stop()
        broker.delete_queues("rpc_queue")
