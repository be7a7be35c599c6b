"""Exercise 25, a publisher that knows every node of the cluster: publish orders to the quorum
queue 'exercise25.orders', through whichever node answers.

    python publisher.py --count 5
    CLUSTER_URLS="amqp://course:course@127.0.0.1:5999/%2F;amqp://course:course@127.0.0.1:5672/%2F" python publisher.py

The reference solution: it tries the nodes in turn and keeps the first connection that works.
(pika.BlockingConnection([params1, params2, ...]) does the same, but does not tell which node.)
"""

import argparse
import os
import sys

import pika
import pika.exceptions

CLUSTER_URLS = os.environ.get(
    "CLUSTER_URLS",
    "amqp://course:course@127.0.0.1:5681/%2F;"
    "amqp://course:course@127.0.0.1:5682/%2F;"
    "amqp://course:course@127.0.0.1:5683/%2F",
)
QUEUE = "exercise25.orders"


def cluster_nodes():
    """One URLParameters per node, in the order of CLUSTER_URLS."""
    nodes = []
    for url in CLUSTER_URLS.split(";"):
        if url.strip():
            params = pika.URLParameters(url.strip())
            params.connection_attempts = 1  # a node that does not answer: go on to the next one
            params.socket_timeout = 3
            nodes.append(params)
    return nodes


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"Publish orders to the quorum queue '{QUEUE}'.")
    parser.add_argument("--count", type=int, default=5, help="how many orders to send")
    args = parser.parse_args(argv)

    for params in cluster_nodes():  # the first node that answers
        try:
            connection = pika.BlockingConnection(params)
            break
        except pika.exceptions.AMQPConnectionError:
            print(f" [!] {params.host}:{params.port} does not answer; trying the next node")
    else:
        print(f" [!] No node of the cluster answers ({len(cluster_nodes())} tried). Is the cluster up?")
        sys.exit(1)
    print(f" [*] Connected to {params.host}:{params.port}")

    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
    channel.confirm_delivery()  # basic_publish returns once the broker has the order
    for number in range(1, args.count + 1):
        channel.basic_publish(exchange="", routing_key=QUEUE, body=f"order-{number}",
                              properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))
    print(f" [x] Sent {args.count} orders, each one confirmed")
    connection.close()


if __name__ == "__main__":
    main()
