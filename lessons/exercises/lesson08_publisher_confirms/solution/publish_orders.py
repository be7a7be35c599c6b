"""Exercise 8a: publish order events to the direct exchange 'exercise08.orders', and notice the
ones that no queue takes.

    python publish_orders.py                                   # the four events below
    python publish_orders.py "paid=order 7 paid" "lost=order 8 lost"

Each event's key is its routing key; queues are bound for some keys only. The broker drops a
message that no binding matches, without a word, so some events vanish.
The reference solution: publisher confirms plus mandatory=True make pika raise UnroutableError
for a message the broker returned.
"""

import argparse
import os
import sys

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
EXCHANGE = "exercise08.orders"
ORDERS = ["created=order 17 created", "paid=order 17 paid", "refunded=order 16 refunded",
          "shipped=order 15 shipped"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"Publish order events to the exchange '{EXCHANGE}'.")
    parser.add_argument("events", nargs="*", default=ORDERS, help="key=text, one per event")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange=EXCHANGE, exchange_type="direct", durable=True)

    # Confirms: basic_publish now waits for the broker's answer to each message. With
    # mandatory=True the broker returns a message no queue took, and pika raises UnroutableError.
    channel.confirm_delivery()
    unroutable = 0
    for event in args.events:
        key, _, text = event.partition("=")
        try:
            channel.basic_publish(exchange=EXCHANGE, routing_key=key, body=text, mandatory=True)
            print(f" [x] Sent {text!r}")
        except pika.exceptions.UnroutableError:
            print(f" [!] Unroutable: {text!r} (no queue is bound with the key {key!r})")
            unroutable += 1

    connection.close()
    return 2 if unroutable else 0


if __name__ == "__main__":
    sys.exit(main())
