"""Exercise 25: a publisher given every node of a cluster keeps working when the first is down."""

import re
import socket
from urllib.parse import urlsplit

from lessons import settings
from lessons.exercises import Exercise
from lessons.management import Management

QUEUE = "exercise25.orders"
COUNT = 5


def dead_url() -> str:
    """An AMQP URL on a port of 127.0.0.1 where nothing listens: a node that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"amqp://course:course@127.0.0.1:{port}/%2F"


def crashed(process) -> bool:
    return "Traceback" in process.output or bool(
        re.search(r"^[\w.]+(Error|Exception)\b", process.output, re.M))


def check(ck):
    live = settings.AMQP_URL
    live_port = urlsplit(live).port or 5672
    down = dead_url()

    def publish(*urls, name):
        return ck.run_file("publisher.py", "--count", str(COUNT), name=name, timeout=25,
                           env={"CLUSTER_URLS": ";".join(urls)},
                           exits="try each node once, publish or give up, and exit")

    ck.section(f"The first node of CLUSTER_URLS is down ({settings.redact(down)}), the second is up")
    first_down = publish(down, live, name="publisher (first node down)")
    why = ("pika raised AMQPConnectionError for the node that is down" if "AMQPConnectionError" in first_down.output
           else ck.diagnose(first_down))
    ck.require(first_down.returncode == 0,
               "it exited 0",
               f"with the first node down it failed (exit {first_down.returncode}: {why}). It should go on "
               "to the next node of CLUSTER_URLS, which answers.")
    ck.expect(first_down.count(rf"Connected to \S*:{live_port}\b") == 1,
              f"it said it connected to the node that answers (port {live_port})",
              f"it did not print ' [*] Connected to HOST:{live_port}', the node it used.")
    depth = ck.queue_depth(QUEUE)
    ck.expect(depth == COUNT, f"'{QUEUE}' holds the {COUNT} orders",
              f"'{QUEUE}' holds {depth} orders, not {COUNT}.")
    queue = Management().queue(QUEUE) or {}
    ck.expect(queue.get("type") == "quorum", f"'{QUEUE}' is a quorum queue",
              f"'{QUEUE}' is a {queue.get('type')} queue: declare it with x-queue-type quorum.")

    ck.section("The first node is up, the second down: it uses the first, as before")
    first_up = publish(live, down, name="publisher (second node down)")
    depth = ck.queue_depth(QUEUE)
    ck.expect(first_up.returncode == 0 and depth == 2 * COUNT,
              f"it exited 0 and '{QUEUE}' holds {2 * COUNT} orders",
              f"it exited {first_up.returncode} and '{QUEUE}' holds {depth} orders, not {2 * COUNT}. "
              f"{ck.diagnose(first_up) if first_up.returncode else ''}")

    ck.section("Every node is down")
    other = dead_url()
    none_up = publish(down, other, name="publisher (all down)")
    ck.expect(none_up.returncode == 1 and not crashed(none_up),
              "it said so and exited 1, without a traceback",
              f"with no node up it exited {none_up.returncode}"
              + (" with an exception (catch pika.exceptions.AMQPConnectionError, print one line, sys.exit(1))"
                 if crashed(none_up) else "") + ": it should say that no node answers and exit 1.")


EXERCISES = (
    Exercise(
        name="failover-publisher",
        title="A publisher that connects to the first node that answers",
        files=("publisher.py",),
        task="Make publisher.py try the nodes of CLUSTER_URLS in turn and publish through the first one "
             "that answers; when none does, say so in one line and exit 1.",
        check=check,
        hints=(
            "pika.exceptions.AMQPConnectionError is what BlockingConnection raises when a node does not "
            "answer. Try the next URL when you catch it; give up only after the last one.",
            "Build one pika.URLParameters per URL, with connection_attempts = 1 (no retries on a dead "
            "node), then a for loop with try/except around pika.BlockingConnection(params) and a break "
            "on success; the loop's else: runs when no node answered.",
            "    for params in nodes:\n"
            "        try:\n"
            "            connection = pika.BlockingConnection(params)\n"
            "            break\n"
            "        except pika.exceptions.AMQPConnectionError:\n"
            "            print(f\" [!] {params.host}:{params.port} does not answer\")\n"
            "    else:\n"
            "        print(\" [!] No node of the cluster answers\")\n"
            "        sys.exit(1)",
        ),
        starter_says=r"\[no\] with the first node down it failed",
        deadline=60,
    ),
)
