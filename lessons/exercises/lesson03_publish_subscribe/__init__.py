"""Exercise 3: every receiver gets every line (a queue of its own, server-named and exclusive)."""

from lessons.exercises import Exercise
from lessons.waiting import eventually

EXCHANGE = "exercise03.logs"
LINES = ["disk 91% full", "user ada logged in", "backup done", "cpu 12%"]


def bound_queues(management) -> list[str]:
    try:
        return sorted({b["destination"] for b in management.bindings(EXCHANGE) if b["destination_type"] == "queue"})
    except Exception:  # the exchange does not exist yet
        return []


def check(ck):
    from lessons import broker
    from lessons.management import Management

    management = Management()
    ck.section("Two receivers start")
    receivers = [ck.start_file("receive_logs.py", name=f"receiver-{i}") for i in (1, 2)]
    # An exclusive queue is not visible to other connections, so readiness is the receivers'
    # own line, printed after basic_consume (which waits for the broker's consume-ok).
    for receiver in receivers:
        ck.wait_for_line(receiver, r"\[\*\] Waiting", 15, "print ' [*] Waiting for logs'")
    ck.require(bound_queues(management), f"queues are bound to the fanout exchange '{EXCHANGE}'",
               f"no queue is bound to the exchange '{EXCHANGE}': the receivers must declare it "
               "(fanout) and bind their queue to it.")
    queues = bound_queues(management)
    ck.say(f"Queues bound to '{EXCHANGE}': {', '.join(queues)}")

    ck.section(f"The checker publishes {len(LINES)} lines to the fanout exchange")
    with broker.channel() as channel:
        for line in LINES:
            channel.basic_publish(exchange=EXCHANGE, routing_key="", body=line)
    eventually(lambda: all(r.count(r"\[x\] ") >= len(LINES) for r in receivers), timeout=10)
    for receiver in receivers:
        got = [m.group(1) for m in receiver.matches(r"\[x\] (.*)")]
        ck.expect(sorted(got) == sorted(LINES), f"{receiver.name} printed all {len(LINES)} lines",
                  f"{receiver.name} printed {len(got)} of the {len(LINES)} lines ({got}). "
                  + ("The receivers share one queue, so the broker deals its messages out between "
                     "them: each needs a queue of its own bound to the exchange."
                     if len(queues) < 2 else ""))
    details = [management.queue(q) or {} for q in queues]
    ck.expect(len(queues) == 2 and all(d.get("exclusive") and q.startswith("amq.gen-") for q, d in zip(queues, details, strict=True)),
              "each receiver has a queue of its own, named by the broker (amq.gen-...) and exclusive",
              f"the queues bound to the exchange are {queues}: each receiver should declare its own with "
              "queue_declare(queue=\"\", exclusive=True) and use the name the broker gives back.")

    ck.section("The receivers stop")
    for receiver in receivers:
        receiver.stop(grace=2.0)
    eventually(lambda: not bound_queues(management), timeout=5)
    left = bound_queues(management)
    ck.expect(not left, "no queue is left bound to the exchange: the temporary queues went with their receivers",
              f"{left} stayed bound to the exchange after the receivers stopped: lines would pile up "
              "there while nobody listens. An exclusive queue is deleted with its connection.")


EXERCISES = (
    Exercise(
        name="every-receiver",
        title="Every receiver gets every line",
        files=("receive_logs.py",),
        task="Change receive_logs.py so that two receivers started at once each print every line "
             "published to the fanout exchange 'exercise03.logs', with queues that go away with them.",
        check=check,
        hints=(
            "A fanout exchange copies each message to every queue bound to it, and a queue deals its "
            "messages out between its consumers. So two receivers that read one queue split the "
            "lines; two queues get a copy each.",
            "Let the broker name a fresh queue for each receiver: queue_declare(queue=\"\", "
            "exclusive=True). The name is in the answer: result.method.queue.",
            "    result = channel.queue_declare(queue=\"\", exclusive=True)\n"
            "    queue_name = result.method.queue\n"
            "then bind and consume queue_name as before (the durable 'exercise03.lines' is not needed).",
        ),
        starter_says=r"\[no\] receiver-\d printed \d of the 4 lines .*share one queue",
        deadline=60,
    ),
)
