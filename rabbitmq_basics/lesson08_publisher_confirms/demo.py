"""Lesson 8's story in one terminal: time three confirm strategies, then route the unroutable.

    make lesson-8            (or: python -m lessons run 8)
    make lesson-8 ARGS="--messages 20000"
"""

import sys

from lessons import broker
from lessons.management import Management
from lessons.story import Story

LESSON = "rabbitmq_basics.lesson08_publisher_confirms"
CONFIRMS = "lesson08.confirms"
ORDERS, ORDERS_WITH_AE, UNROUTABLE = "lesson08.orders", "lesson08.orders_with_ae", "lesson08.unroutable"
QUEUES = (CONFIRMS, ORDERS, UNROUTABLE)
EXCHANGES = (ORDERS, ORDERS_WITH_AE, UNROUTABLE)
STRATEGIES = (
    ("individual", "wait for each confirm"),
    ("batch", "wait for each 100"),
    ("async", "callbacks, no waiting"),
)
RESULT = (r"\[x\] (\w+): (\d+) messages published to '[^']+', (\d+) confirmed, (\d+) nacked, "
          r"in ([\d.]+) s \((\d+) messages/s\)")


def purge(queue: str) -> None:
    with broker.channel() as channel:
        channel.queue_purge(queue)


def _options(parser):
    parser.add_argument("--messages", type=int, default=3000,
                        help="messages each confirm strategy publishes (default: %(default)s)")


def main(argv=None) -> int:
    with Story(8, argv, options=_options) as story:
        count = story.options.messages
        story.start_fresh(queues=QUEUES, exchanges=EXCHANGES)

        story.section(f"Three ways to wait for confirms: {count} persistent messages each, same durable queue")
        rows = []
        for strategy, how in STRATEGIES:
            publisher = story.run(strategy, f"{LESSON}.publisher_confirms", "--strategy", strategy,
                                  "--messages", str(count), timeout=60)
            found = publisher.matches(RESULT)
            story.check(len(found) == 1 and int(found[0].group(3)) == count and found[0].group(4) == "0",
                        f"{strategy}: the broker confirmed all {count} messages, nacked none")
            depth = broker.queue_depth(CONFIRMS)
            story.check(depth == count, f"{strategy}: the queue '{CONFIRMS}' holds exactly {count} messages "
                                        "(every confirmed message is there)")
            if found:
                rows.append((strategy, how, float(found[0].group(5)), int(found[0].group(6))))
            purge(CONFIRMS)
        if rows:
            fastest = max(rate for *_, rate in rows)
            story.table(f"Publisher confirms, {count} persistent messages to a durable queue (this machine, this run)",
                        ("strategy", "how", "seconds", "messages/s", "vs fastest"),
                        [(name, how, f"{seconds:.2f}", f"{rate:,}",
                          "fastest" if rate == fastest else f"{fastest / rate:.1f}x slower")
                         for name, how, seconds, rate in rows])
        story.say("Timings are reported, not checked: they vary with the machine and its load.")

        story.section("Unroutable messages: mandatory, an alternate exchange, a missing exchange")
        sender = story.run("unroutable", f"{LESSON}.unroutable")
        confirmed_routed = sender.count(r"\[x\] Sent .*: confirmed, routed to queue")
        returned = sender.matches(r"\[!\] Returned '([^']*)' .*: 312 NO_ROUTE")
        story.check(confirmed_routed == 2 and broker.queue_depth(ORDERS) == 2,
                    f"2 routed messages confirmed, and the queue '{ORDERS}' holds both")
        story.check([m.group(1) for m in returned] == ["order 1 refunded"],
                    "the mandatory unroutable message came back to the publisher: 312 NO_ROUTE")
        story.check(broker.queue_depth(UNROUTABLE) == 1,
                    f"the alternate exchange caught the unroutable message: 1 in queue '{UNROUTABLE}'")
        exchange = next((e for e in Management().exchanges() if e["name"] == ORDERS_WITH_AE), {})
        story.check(exchange.get("arguments", {}).get("alternate-exchange") == UNROUTABLE,
                    f"the management API shows '{ORDERS_WITH_AE}' with alternate-exchange '{UNROUTABLE}'")
        story.check(sender.count(r"\[!\] The broker closed the channel: 404 NOT_FOUND") == 1
                    and sender.count(r"Sent 'order 4 created' on the new channel: confirmed") == 1,
                    "publishing to a missing exchange closed the channel (404); a new channel went on")
        story.say("Of the 4 messages sent with mandatory or to an exchange with an alternate exchange,\n"
                  "each is in a queue or came back to the publisher. Only 'order 2 refunded', sent\n"
                  "without either, vanished: its confirm said the broker took it, not that a queue did.")
        story.check(confirmed_routed + len(returned) + broker.queue_depth(UNROUTABLE) == 4,
                    "none of the guarded messages vanished silently: 2 routed + 1 returned + 1 caught = 4")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
