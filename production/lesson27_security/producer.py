"""Lesson 27, the orders producer: publishes order events as user orders-producer, over TLS.

    python producer.py eu.new eu.paid

AMQPS_URL = amqps://orders-producer:PASSWORD@localhost:5671/orders (from the environment).
It may only write to the exchange 'orders', and only routing keys that start with 'eu.'.
"""

import argparse

import pika
import pika.exceptions

import tls


def main(argv=None):
    parser = argparse.ArgumentParser(description="Publish order events to a topic exchange.")
    parser.add_argument("routing_keys", nargs="+", help="e.g. eu.new")
    parser.add_argument("--exchange", default="orders")
    args = parser.parse_args(argv)

    parameters = pika.URLParameters(tls.secret_url("AMQPS_URL"))
    parameters.ssl_options = pika.SSLOptions(tls.ssl_context(), server_hostname=parameters.host)
    connection = pika.BlockingConnection(parameters)
    channel = connection.channel()
    channel.confirm_delivery()
    refused = 0
    for key in args.routing_keys:
        try:
            channel.basic_publish(args.exchange, key, f"order event {key}")
            print(f" [x] Sent {key!r} to '{args.exchange}'")
        except pika.exceptions.ChannelClosedByBroker as exc:
            refused += 1
            print(f" [!] Refused {key!r}: {exc.reply_code} {exc.reply_text}")
            channel = connection.channel()  # the broker closed that channel; open another
            channel.confirm_delivery()
    connection.close()
    if refused:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
