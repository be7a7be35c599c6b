"""Lesson 4's story in one terminal: route log lines by severity with a direct exchange.

    make lesson-4            (or: python -m lessons run 4)
"""

import sys

import pika
import pika.exceptions

from lessons import broker
from lessons.management import Management
from lessons.story import Story, wait_until

LESSON = "rabbitmq_basics.lesson04_routing"
EXCHANGE = "direct_logs"
QUEUE_LINE = r"\[\*\] Queue (amq\.gen-\S+) bound"

# Who binds which keys, as in the official tutorial's picture.
RECEIVERS = {"disk": ["error"], "screen": ["info", "warning", "error"]}
# What we send, in this order. Nobody binds 'debug'.
LINES = [("info", "user logged in"), ("warning", "disk 80% full"),
         ("debug", "x=42"), ("error", "disk full")]


def main(argv=None) -> int:
    with Story(4, argv) as story:
        management = Management()
        story.start_fresh(exchanges=[EXCHANGE])

        story.section("Two receivers: 'disk' binds error; 'screen' binds info, warning and error")
        expected = {name: [(sev, text) for sev, text in LINES if sev in keys]
                    for name, keys in RECEIVERS.items()}
        receivers = {name: story.start(name, f"{LESSON}.receive_logs_direct", *keys,
                                       "--max-messages", str(len(expected[name])),
                                       ready=r"\[\*\] Waiting")
                     for name, keys in RECEIVERS.items()}
        queues = {name: r.wait_for(QUEUE_LINE).group(1) for name, r in receivers.items()}
        bindings = management.bindings(EXCHANGE)
        keys_of = {name: sorted(b["routing_key"] for b in bindings if b["destination"] == queue)
                   for name, queue in queues.items()}
        story.table(f"Bindings of exchange '{EXCHANGE}' (management API)",
                    ["receiver", "queue", "binding keys"],
                    [(name, queues[name], ", ".join(keys_of[name])) for name in RECEIVERS])
        story.check(keys_of == {name: sorted(keys) for name, keys in RECEIVERS.items()},
                    "one queue, several bindings: 'screen' has 3, 'disk' has 1 (management API)")
        story.check(sum(b["routing_key"] == "error" for b in bindings) == 2,
                    "two queues are bound with the same key 'error'")

        story.section("Emit one line per severity (and a 'debug' line nobody asked for)")
        for sev, text in LINES:
            story.run("emit", f"{LESSON}.emit_log_direct", sev, text)
        codes = {name: r.wait(timeout=10) for name, r in receivers.items()}

        got = {name: [tuple(m.groups()) for m in r.matches(r"\[x\] (\w+):(.*)$")]
               for name, r in receivers.items()}
        story.table("Who got which severity", ["routing key", *RECEIVERS],
                    [(sev, *("got it" if (sev, text) in got[name] else "-" for name in RECEIVERS))
                     for sev, text in LINES])
        story.check(got == expected, "the delivery table is exactly the one the bindings predict")
        story.check(got["disk"] == [("error", "disk full")] and ("error", "disk full") in got["screen"],
                    "'error' reached both queues: for that key, direct acts like fanout")
        story.check(not any(sev == "debug" for lines in got.values() for sev, _ in lines),
                    "the 'debug' line reached nobody: no binding matched, so it was dropped")
        story.check(set(codes.values()) == {0}, "both receivers stopped by themselves, exit code 0")

        story.section("Ask the broker: publish 'debug' again with mandatory=True")
        with broker.channel() as channel:
            channel.confirm_delivery()
            try:
                channel.basic_publish(exchange=EXCHANGE, routing_key="debug", body=b"x=43",
                                      mandatory=True)
                returned = False
            except pika.exceptions.UnroutableError:
                returned = True
        story.say("With mandatory=True the broker hands an unroutable message back instead of "
                  "dropping it silently (lesson 8 goes further).")
        story.check(returned, "the broker returned the 'debug' message as unroutable")

        wait_until(lambda: all(management.queue(q) is None for q in queues.values()), timeout=5,
                   what="the receivers' queues to disappear")
        story.check(management.bindings(EXCHANGE) == [],
                    "the receivers' queues and their 4 bindings went away with them")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
