"""Lesson 7's story in one terminal: RPC with a timeout, stray replies, two servers, errors,
direct reply-to, and round trips per second.

    make lesson-7            (or: python -m lessons run 7)
"""

import re
import sys

import pika

from lessons import broker
from lessons.management import Management
from lessons.story import Story, wait_until

LESSON = "rabbitmq_basics.lesson07_rpc"
QUEUE = "rpc_queue"
SERVER_READY = r"\[x\] Awaiting RPC requests"
RATE = r"(\d+) calls in ([\d.]+) s: (\d+) round trips per second"
CPU = r"Waited ([\d.]+) s for replies, using ([\d.]+) s of CPU"


def main(argv=None) -> int:
    with Story(7, argv) as story:
        management = Management()
        story.start_fresh(queues=[QUEUE])

        story.section("No server running: the client gives up after its timeout (2 s here)")
        client = story.run("client", f"{LESSON}.rpc_client", "30", "--timeout", "2", expect_code=1)
        story.check(client.count(r"\[!\] No reply within 2 s\. Is an rpc_server running\?") == 1,
                    "the client stopped waiting after 2 s with a clear message, exit code 1")
        waited, cpu = map(float, client.matches(CPU)[0].groups())
        story.say(f"While it waited {waited:.2f} s it used {cpu * 1000:.1f} ms of CPU: "
                  "process_data_events(time_limit=...) sleeps until data or the deadline.")
        story.check(waited >= 1.9 and cpu < 0.25 * waited,
                    f"no busy loop: {cpu * 1000:.1f} ms of CPU in a {waited:.1f} s wait (a spinning loop burns ~all of it)")
        wait_until(lambda: broker.queue_depth(QUEUE) == 0, timeout=5, what=f"'{QUEUE}' to drop the stale request")
        story.check(broker.queue_depth(QUEUE) == 0,
                    f"the unanswered request expired from '{QUEUE}' (expiration = timeout): no server will compute it later")

        story.section("A reply that belongs to nobody is ignored; a late server answers")
        client = story.start("client", f"{LESSON}.rpc_client", "25", "--timeout", "15",
                             ready=r"\[x\] Requesting")
        reply_queue = client.wait_for(r"Replies come to (amq\.gen-\S+)").group(1)
        with broker.channel() as channel:
            channel.basic_publish(exchange="", routing_key=reply_queue, body=b"999",
                                  properties=pika.BasicProperties(correlation_id="not-yours"))
        client.wait_for(r"\[\?\] Ignoring a reply with correlation_id 'not-yours'")
        story.check(client.running, "the client ignored the stray reply (wrong correlation_id) and kept waiting")
        server1 = story.start("server-1", f"{LESSON}.rpc_server", ready=SERVER_READY)
        client.wait_for(r"\[\.\] Got ")
        story.check(client.wait(timeout=10) == 0 and client.count(r"\[\.\] Got 75025$") == 1,
                    "server-1, started after the request was sent, answered it: fib(25) = 75025")
        story.check(server1.count(rf"fib\(25\) for {re.escape(reply_queue)}") == 1,
                    f"the server replied to the client's own queue ({reply_queue}, its reply_to)")

        story.section("Two servers, prefetch 1: they share the requests")
        server2 = story.start("server-2", f"{LESSON}.rpc_server", ready=SERVER_READY)
        consumers = wait_until(lambda: rpc_consumers(management) if len(rpc_consumers(management)) == 2 else None,
                               timeout=10, what=f"the management API to list 2 consumers on '{QUEUE}'")
        story.check([c["prefetch_count"] for c in consumers] == [1, 1],
                    f"the management API lists 2 consumers on '{QUEUE}', each with prefetch 1")
        clients = [story.start(f"client-{i}", f"{LESSON}.rpc_client", "20", "--count", "5") for i in (1, 2)]
        story.check(all(c.wait(timeout=20) == 0 and c.count(r"\[\.\] Got 6765$") == 1 for c in clients),
                    "two clients, 5 calls each at the same time: every call got fib(20) = 6765")
        served = [s.count(r"fib\(20\)") for s in (server1, server2)]
        story.table("Requests served", ["server", "fib(20) requests"], [("server-1", served[0]), ("server-2", served[1])])
        story.check(sum(served) == 10 and min(served) >= 1, "both servers took a share of the 10 requests")

        story.section("An exception in the server comes back as an error reply")
        client = story.run("client", f"{LESSON}.rpc_client", "--", "-1", expect_code=1)
        story.check(client.count(r"\[!\] The server failed: ValueError: fib\(n\) needs n >= 0, got -1") == 1,
                    "fib(-1) raised ValueError in the server; the client printed it at once (exit 1), no timeout")
        story.check(server1.running and server2.running, "the server that failed the request is still running")

        story.section("Direct reply-to: replies go straight to the consumer, no reply queue")
        client = story.run("client", f"{LESSON}.rpc_client", "25", "--direct-reply-to")
        story.check(client.count(r"Replies come to amq\.rabbitmq\.reply-to$") == 1
                    and client.count(r"\[\.\] Got 75025$") == 1,
                    "with reply_to = amq.rabbitmq.reply-to the client got fib(25) = 75025")
        story.check((server1.count(r"fib\(25\) for amq\.rabbitmq\.reply-to\.") +
                     server2.count(r"fib\(25\) for amq\.rabbitmq\.reply-to\.")) == 1,
                    "the server saw reply_to rewritten by the broker to amq.rabbitmq.reply-to.<token>")

        story.section("Speed: 200 sequential calls of fib(10), each way")
        story.say("(Two fresh servers with their output hidden: they would print 400 lines.)")
        server1.stop()
        server2.stop()
        for i in (1, 2):
            story.start(f"bench-{i}", f"{LESSON}.rpc_server", ready=SERVER_READY, echo=False)
        rows = []
        for label, extra in (("reply queue (amq.gen-...)", ()), ("direct reply-to", ("--direct-reply-to",))):
            client = story.run("client", f"{LESSON}.rpc_client", "10", "--count", "200", *extra, timeout=60)
            calls, seconds, rate = client.matches(RATE)[0].groups()
            rows.append((label, calls, seconds, rate, client.count(r"\[\.\] Got 55$")))
        story.table("Round trips (one client, calls one after another)",
                    ["replies via", "calls", "seconds", "round trips/s"], [r[:4] for r in rows])
        story.check(all(r[1] == "200" and r[4] == 1 for r in rows),
                    "200 calls each way, all answered (fib(10) = 55)")
    return story.exit_code


def rpc_consumers(management: Management) -> list[dict]:
    return [c for c in management.get("consumers", management.vhost) if c["queue"]["name"] == QUEUE]


if __name__ == "__main__":
    sys.exit(main())
