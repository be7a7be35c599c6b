"""Exercise 25, a publisher that knows every node of the cluster: publish orders to the quorum
queue 'exercise25.orders', through whichever node answers.

    python publisher.py --count 5
    CLUSTER_URLS="amqp://course:course@127.0.0.1:5999/%2F;amqp://course:course@127.0.0.1:5672/%2F" python publisher.py

CLUSTER_URLS lists the nodes, separated by ';' (the default: lesson 25's three nodes).

TODO: it only ever tries the first node of the list: when that node is down, it fails, though
the others would do. Make it connect to the first node that answers, say which one, and go on.
When no node answers, it must say so in one line and exit 1 (no traceback).
Keep the " [*] Connected to HOST:PORT" and " [x] Sent" lines: the checker reads them.
"""

import argparse
import os

import pika

CLUSTER_URLS = os.environ.get(
    "CLUSTER_URLS",
    "amqp://course:course@127.0.0.1:5681/%2F;"
    "amqp://course:course@127.0.0.1:5682/%2F;"
    "amqp://course:course@127.0.0.1:5683/%2F",
)
QUEUE = "exercise25.orders"


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"Publish orders to the quorum queue '{QUEUE}'.")
    parser.add_argument("--count", type=int, default=5, help="how many orders to send")
    args = parser.parse_args(argv)

    urls = [url.strip() for url in CLUSTER_URLS.split(";") if url.strip()]
    # TODO: only the first node is tried.
    params = pika.URLParameters(urls[0])
    connection = pika.BlockingConnection(params)
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
