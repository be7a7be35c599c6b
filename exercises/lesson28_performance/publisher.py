"""Exercise 28: a publisher that keeps every order confirmed, and is slow.

    python publisher.py --messages 2000

It publishes persistent orders to the durable queue exercise28.orders with publisher confirms,
and waits for each confirm before it publishes the next order: one round trip to the broker,
and one disk write there, per message.

TODO: make it at least 3 times faster, and keep every order confirmed: it must still count the
orders the broker confirmed (acked) and those it refused (nacked), and print the same line at
the end.
"""

import argparse
import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "exercise28.orders"
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)


def publish(count):
    """Publish `count` persistent orders; return (confirmed, nacked)."""
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True)
    channel.confirm_delivery()  # basic_publish now returns only once the broker confirmed
    confirmed = nacked = 0
    for i in range(count):
        try:
            channel.basic_publish(exchange="", routing_key=QUEUE, body=f"order {i}",
                                  properties=PERSISTENT)
            confirmed += 1
        except pika.exceptions.NackError:
            nacked += 1
    connection.close()
    return confirmed, nacked


def main():
    parser = argparse.ArgumentParser(description="Publish persistent orders with publisher confirms.")
    parser.add_argument("--messages", type=int, default=2000, help="orders to publish (default 2000)")
    args = parser.parse_args()
    started = time.perf_counter()
    confirmed, nacked = publish(args.messages)
    seconds = time.perf_counter() - started
    print(f" [x] {args.messages} orders published: {confirmed} confirmed, {nacked} nacked, "
          f"in {seconds:.2f} s")


if __name__ == "__main__":
    main()
