"""Exercise 4: a receiver bound to exactly the severities it wants on a direct exchange."""

from lessons.exercises import Exercise
from lessons.waiting import eventually

EXCHANGE = "exercise04.logs"
# The last line is one the receiver wants: its queue delivers in order, so once that line is
# printed, any line it should not have had (published before it) is printed too.
LINES = [("info", "user ada logged in"), ("error", "disk write failed"), ("warning", "disk 85% full"),
         ("critical", "database down"), ("info", "backup started"), ("debug", "cache miss"),
         ("critical", "payment service down"), ("error", "timeout calling mail")]
WANTED = {"error", "critical"}


def check(ck):
    from lessons import broker
    from lessons.management import Management

    ck.section("The receiver starts")
    receiver = ck.start_file("receive_alerts.py", name="receiver")
    ck.wait_for_line(receiver, r"\[\*\] Waiting", 15, "print ' [*] Waiting for alerts'")
    bindings = [b for b in Management().bindings(EXCHANGE) if b["destination_type"] == "queue"]
    keys = sorted(b["routing_key"] for b in bindings)
    ck.expect(sorted(set(keys)) == sorted(WANTED), f"its queue is bound to '{EXCHANGE}' with the keys {sorted(WANTED)}",
              f"the queue is bound to '{EXCHANGE}' with the keys {keys}, not {sorted(WANTED)}.")

    ck.section(f"The checker publishes {len(LINES)} lines, one per severity key")
    with broker.channel() as channel:
        for severity, text in LINES:
            channel.basic_publish(exchange=EXCHANGE, routing_key=severity, body=text)
    wanted = [f"{severity}: {text}" for severity, text in LINES if severity in WANTED]
    eventually(lambda: f"{LINES[-1][0]}: {LINES[-1][1]}" in receiver.output, timeout=10)
    got = [m.group(1) for m in receiver.matches(r"\[x\] (.*)")]
    missing = [line for line in wanted if line not in got]
    extra = [line for line in got if line not in wanted]
    ck.expect(not missing, f"it printed the {len(wanted)} error and critical lines",
              f"it missed {len(missing)} of the {len(wanted)} lines it should print: {missing}. A direct "
              "exchange sends a message only to queues bound with exactly its routing key.")
    ck.expect(not extra, "it printed no info, warning or debug line",
              f"it printed lines it should not: {extra}.")
    ck.expect(len(got) == len(set(got)), "each line arrived once",
              "some lines arrived twice: a queue gets one copy per message, so is a second receiver "
              "consuming the same queue, or do you publish them yourself?")


EXERCISES = (
    Exercise(
        name="error-and-critical",
        title="Bind a queue to the severities it wants",
        files=("receive_alerts.py",),
        task="Make receive_alerts.py print every 'error' and 'critical' line of the direct exchange "
             "'exercise04.logs', and nothing else.",
        check=check,
        hints=(
            "A direct exchange compares the routing key with each binding key, exactly. A queue can "
            "have as many bindings as you like.",
            "Call queue_bind once per severity you want, with the same queue and exchange.",
            "    for severity in (\"error\", \"critical\"):\n"
            "        channel.queue_bind(exchange=EXCHANGE, queue=queue_name, routing_key=severity)",
        ),
        starter_says=r"\[no\] it missed 2 of the 4 lines it should print: \['critical: database down'",
        deadline=45,
    ),
)
