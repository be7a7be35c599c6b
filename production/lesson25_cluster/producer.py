"""Lesson 25, the producer: publish orders to the quorum queue 'orders' and wait for each confirm.

It knows every node of the cluster (CLUSTER_URLS, separated by ';'). pika connects to the first
one that answers. A confirm means the queue's leader wrote the message on a majority of its
replicas; a message that is not confirmed is sent again.

    python producer.py --count 100
    CLUSTER_URLS="amqp://course:course@127.0.0.1:5683/%2F" python producer.py --count 1
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
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)


def cluster_nodes():
    """One URLParameters per node, in the order of CLUSTER_URLS."""
    nodes = []
    for url in CLUSTER_URLS.split(";"):
        params = pika.URLParameters(url.strip())
        params.connection_attempts = 1  # a node that does not answer: go on to the next one
        params.socket_timeout = 3
        nodes.append(params)
    return nodes


def connect():
    # Given a list, pika tries each node in turn and returns the first connection that works.
    connection = pika.BlockingConnection(cluster_nodes())
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
    channel.confirm_delivery()  # basic_publish now returns only once the broker confirms
    return connection, channel


def main(argv=None):
    parser = argparse.ArgumentParser(description="Publish orders to the quorum queue 'orders', with confirms.")
    parser.add_argument("--count", type=int, default=100, help="how many orders to send")
    parser.add_argument("--first", type=int, default=1, help="number of the first order")
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between two orders")
    parser.add_argument("--print-every", type=int, default=1, help="print one line per N orders")
    args = parser.parse_args(argv)

    try:
        connection, channel = connect()
        for number in range(args.first, args.first + args.count):
            body = f"order-{number}"
            while True:
                try:
                    channel.basic_publish(exchange="", routing_key=QUEUE, body=body, properties=PERSISTENT)
                    break  # confirmed
                except pika.exceptions.NackError:
                    # The broker could not take it (no majority of the queue's replicas): try again.
                    print(f" [!] {body} was refused (nack); sending it again in 1 s")
                    time.sleep(1)
                except pika.exceptions.AMQPConnectionError as exc:
                    print(f" [!] Lost the connection ({exc!r}); connecting to another node")
                    connection, channel = connect()
            if number % args.print_every == 0 or number == args.first + args.count - 1:
                print(f" [x] Sent {body} (confirmed)")
            time.sleep(args.interval)
        print(f" [x] {args.count} order{'s' if args.count != 1 else ''} sent, each one confirmed by the cluster")
        connection.close()
    except KeyboardInterrupt:
        print(" [x] Interrupted, bye.")
    except pika.exceptions.AMQPConnectionError:
        print(f" [!] No node of the cluster answers ({CLUSTER_URLS}). Start the cluster first.")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
