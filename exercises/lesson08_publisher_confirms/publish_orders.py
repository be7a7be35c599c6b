"""Exercise 8a: publish order events to the direct exchange 'exercise08.orders', and notice the
ones that no queue takes.

    python publish_orders.py                                   # the four events below
    python publish_orders.py "paid=order 7 paid" "lost=order 8 lost"

Each event's key is its routing key; queues are bound for some keys only. The broker drops a
message that no binding matches, without a word, so some events vanish.
TODO: make the publisher notice: have the broker return unroutable messages and confirm each
publish; print " [!] Unroutable: '<text>'" for each one that no queue took, still publish the
others, and exit with code 2 if any was unroutable (0 when all were routed).
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

    for event in args.events:
        key, _, text = event.partition("=")
        # TODO: this does not tell us when no queue takes the message.
        channel.basic_publish(exchange=EXCHANGE, routing_key=key, body=text)
        print(f" [x] Sent {text!r}")

    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
