"""Lesson 27, the orders worker: reads its queue as user orders-worker, over TLS.

    python order_worker.py

AMQPS_URL = amqps://orders-worker:PASSWORD@localhost:5671/orders (from the environment).
It may read 'orders.work' and nothing else: no publishing, no declaring.
"""

import argparse

import pika
import pika.exceptions

import tls


def main(argv=None):
    parser = argparse.ArgumentParser(description="Consume order events from a queue.")
    parser.add_argument("--queue", default="orders.work")
    parser.add_argument("--max-messages", type=int, default=0, help="stop after this many (0: never)")
    args = parser.parse_args(argv)

    parameters = pika.URLParameters(tls.secret_url("AMQPS_URL"))
    parameters.ssl_options = pika.SSLOptions(tls.ssl_context(), server_hostname=parameters.host)
    connection = pika.BlockingConnection(parameters)
    channel = connection.channel()
    channel.basic_qos(prefetch_count=10)
    received = 0

    def on_message(channel, method, properties, body):
        nonlocal received
        channel.basic_ack(method.delivery_tag)
        received += 1
        print(f" [x] Received {body.decode()!r} ({method.routing_key})")
        if received == args.max_messages:
            channel.stop_consuming()

    try:
        channel.basic_consume(args.queue, on_message)
    except pika.exceptions.ChannelClosedByBroker as exc:
        print(f" [!] Refused: {exc.reply_code} {exc.reply_text}")
        raise SystemExit(1) from None
    print(f" [*] Waiting for messages on '{args.queue}'")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
