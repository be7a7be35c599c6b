"""Exercise 7: an RPC client with reply_to, correlation_id and a timeout without a busy loop."""

from lessons.exercises import Exercise

QUEUE = "exercise07.rpc"


def check(ck):
    from lessons import broker

    ck.section("No server runs: the client must give up after its timeout (2 s)")
    lonely = ck.run_file("rpc_client.py", "7", "--timeout", "2", timeout=12, name="client",
                         exits="give up after its --timeout of 2 s and exit")
    asked, gave_up = lonely.when(r"Requesting"), lonely.when(r".", -1)
    waited = gave_up - asked if asked and gave_up else 0.0
    ck.expect(lonely.returncode not in (0, None), f"it gave up with exit code {lonely.returncode}",
              f"it exited with code {lonely.returncode} although no answer can have come: "
              + ("" if lonely.returncode == 0 else ck.diagnose(lonely)))
    ck.expect(waited >= 1.5, f"it waited for its timeout before giving up ({waited:.1f} s)",
              f"it gave up after {waited:.1f} s, not after its 2 s timeout: it does not wait for an answer yet.")
    with broker.channel() as channel:  # the unanswered request must not reach the server later
        channel.queue_declare(QUEUE, durable=True)
        channel.queue_purge(QUEUE)

    ck.section("The server runs: the client asks for fib(20)")
    server = ck.start_file("rpc_server.py", name="rpc_server")
    ck.wait_for_line(server, r"\[\*\] Awaiting", 15, "print ' [*] Awaiting RPC requests'")
    client = ck.run_file("rpc_client.py", "20", "--timeout", "5", timeout=15, name="client",
                         exits="print the answer and exit")
    request = ck.lines_soon(server, r"fib\(20\) reply_to=(\S*) correlation_id=(\S*)")
    ck.require(request, "the server got the request",
               "the server never got the request: does the client publish it to the queue "
               f"'{QUEUE}' through the default exchange?")
    reply_to, correlation_id = request[0].group(1), request[0].group(2)
    ck.expect(reply_to not in ("", "None"), f"the request names a reply queue (reply_to={reply_to})",
              "the request has no reply_to: the server has nowhere to send the answer.")
    ck.expect(correlation_id not in ("", "None"), "the request carries a correlation_id",
              "the request has no correlation_id: the client cannot tell its answer from a stray one.")
    got = [m.group(1) for m in client.matches(r"\[\.\] Got (-?\d+)")]
    ck.expect(got == ["6765"], "the client printed ' [.] Got 6765' and nothing else as its answer",
              "the client took the stray reply (-1) of an earlier request: keep only the reply whose "
              "correlation_id is the one you sent." if got == ["-1"] else
              f"the client printed {got or 'no answer'} instead of ' [.] Got 6765'.")
    if got == ["6765"]:
        ck.expect(client.returncode == 0, "the client exited with code 0",
                  f"the client exited with code {client.returncode}: {ck.diagnose(client)}")


EXERCISES = (
    Exercise(
        name="rpc-client",
        title="An RPC client that waits for its own answer, not forever",
        files=("rpc_client.py",),
        task="Complete call() in rpc_client.py: a reply queue of its own, reply_to and correlation_id "
             "in the request, and a wait for the matching reply that gives up after --timeout seconds.",
        check=check,
        hints=(
            "Request/reply over queues: the client tells the server where to answer (reply_to, a queue "
            "of the client's own) and tags the request (correlation_id) so it can recognise the answer "
            "among others.",
            "reply_queue = channel.queue_declare(queue=\"\", exclusive=True).method.queue; consume it "
            "with auto_ack=True and a callback that keeps the body when props.correlation_id equals "
            "yours (str(uuid.uuid4())); publish with properties=pika.BasicProperties(reply_to=..., "
            "correlation_id=...).",
            "Wait with connection.process_data_events(time_limit=left) in a loop until the callback "
            "has stored the answer or the deadline (time.monotonic() + timeout) has passed. It sleeps "
            "in the socket, so the loop does not spin.",
        ),
        starter_says=r"\[no\] it gave up after \d\.\d s, not after its 2 s timeout",
        deadline=60,
    ),
)
