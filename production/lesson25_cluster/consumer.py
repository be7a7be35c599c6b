"""Lesson 25, the consumer: handle orders from the quorum queue 'orders', on whichever node is up.

It knows every node of the cluster (CLUSTER_URLS, separated by ';') and connects to the first one
that answers. When that node goes away, it connects to the next one and carries on. The orders it
had received but not acknowledged go back to the queue and come again, marked redelivered: an
order may be seen twice, so the work must be idempotent (here: a set of order ids).

    python consumer.py
    python consumer.py --work 0.1 --idle-timeout 5
"""

import argparse
import os
import time

import pika
import pika.exceptions

CLUSTER_URLS = os.environ.get(
    "CLUSTER_URLS",
    "amqp://course:course@127.0.0.1:5681/%2F;"
    "amqp://course:course@127.0.0.1:5682/%2F;"
    "amqp://course:course@127.0.0.1:5683/%2F",
)
QUEUE = "orders"


def cluster_nodes():
    """One URLParameters per node, in the order of CLUSTER_URLS."""
    nodes = []
    for url in CLUSTER_URLS.split(";"):
        params = pika.URLParameters(url.strip())
        params.connection_attempts = 1
        params.socket_timeout = 3
        nodes.append(params)
    return nodes


def connect(nodes):
    """Connect to the first node that answers; return the connection and that node."""
    while True:
        for node in nodes:
            try:
                return pika.BlockingConnection(node), node
            except pika.exceptions.AMQPConnectionError:
                print(f" [!] {node.host}:{node.port} does not answer")
        print(" [!] No node of the cluster answers; trying again in 1 s")
        time.sleep(1)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Handle orders from the quorum queue 'orders'.")
    parser.add_argument("--work", type=float, default=0.5, help="seconds of work per order")
    parser.add_argument("--prefetch", type=int, default=10, help="unacknowledged orders it may hold")
    parser.add_argument("--idle-timeout", type=float, default=0,
                        help="stop after this many seconds without an order (default: run until Ctrl+C)")
    parser.add_argument("--print-every", type=int, default=1,
                        help="print one line per N orders (redelivered ones are always printed)")
    args = parser.parse_args(argv)

    nodes = cluster_nodes()
    seen, handled, redelivered, used = set(), 0, 0, []
    try:
        while True:
            connection, node = connect(nodes)
            used.append(f"{node.host}:{node.port}")
            print(f" [*] Connected to {node.host}:{node.port}. Waiting for orders. To exit press CTRL+C")
            try:
                channel = connection.channel()
                channel.queue_declare(queue=QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
                channel.basic_qos(prefetch_count=args.prefetch)
                for method, _properties, body in channel.consume(QUEUE, inactivity_timeout=args.idle_timeout or None):
                    if method is None:  # nothing came for --idle-timeout seconds
                        connection.close()
                        print(f" [x] Done: {handled} orders handled, {len(seen)} distinct, "
                              f"{redelivered} redelivered, through {', '.join(used)}")
                        return
                    order = body.decode()
                    time.sleep(args.work)  # the work; it must be safe to do twice
                    # Note it as done before the ack: basic_ack can reach the broker and still raise
                    # here, when the node closes the connection right after it.
                    handled += 1
                    seen.add(order)
                    if method.redelivered:
                        redelivered += 1
                        print(f" [.] Got {order} (redelivered)")
                    elif handled % args.print_every == 0:
                        print(f" [.] Got {order} ({handled} handled)")
                    channel.basic_ack(delivery_tag=method.delivery_tag)
            except pika.exceptions.AMQPConnectionError as exc:
                # The node went away (stopped, crashed, network): put it last and connect again.
                print(f" [!] Lost {node.host}:{node.port} ({exc}); connecting to another node")
                nodes = [n for n in nodes if n is not node] + [node]
            except pika.exceptions.ChannelClosedByBroker as exc:
                # E.g. the queue has no leader for a moment while a new one is elected.
                print(f" [!] The broker closed the channel ({exc.reply_code} {exc.reply_text}); trying again")
                connection.close()
                time.sleep(0.5)
    except KeyboardInterrupt:
        print(" [x] Interrupted, bye.")


if __name__ == "__main__":
    main()
