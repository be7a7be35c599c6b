"""Lesson 3, the publisher: send one log line to the fanout exchange 'logs'.

    python emit_log.py "info: Hello World!"
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send a log line to every receiver listening now.")
    parser.add_argument("message", nargs="*", help="the log line (default: 'info: Hello World!')")
    args = parser.parse_args(argv)
    message = " ".join(args.message) or "info: Hello World!"

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    # A fanout exchange copies each message to every queue bound to it, whatever the routing key.
    channel.exchange_declare(exchange="logs", exchange_type="fanout")

    # We publish to the exchange, not to a queue: the routing key is ignored by a fanout.
    channel.basic_publish(exchange="logs", routing_key="", body=message)
    print(f" [x] Sent {message!r}")

    connection.close()


if __name__ == "__main__":
    main()
