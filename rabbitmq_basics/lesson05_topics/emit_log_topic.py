"""Lesson 5, the publisher: send a log line with a dotted routing key such as 'kern.critical'.

    python emit_log_topic.py kern.critical "A critical kernel error"
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def routing_key(text):
    # A routing key is an AMQP "short string": at most 255 bytes.
    if len(text.encode()) > 255:
        raise argparse.ArgumentTypeError(
            f"a routing key is at most 255 bytes; this one has {len(text.encode())}.")
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send a log line with a topic routing key.")
    parser.add_argument("routing_key", nargs="?", default="anonymous.info", type=routing_key,
                        help="words separated by dots, e.g. kern.critical (default: anonymous.info)")
    parser.add_argument("message", nargs="*", help="the log line (default: 'Hello World!')")
    args = parser.parse_args(argv)
    message = " ".join(args.message) or "Hello World!"

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    # A topic exchange matches the routing key against each binding's pattern.
    channel.exchange_declare(exchange="topic_logs", exchange_type="topic")

    channel.basic_publish(exchange="topic_logs", routing_key=args.routing_key, body=message)
    print(f" [x] Sent {args.routing_key}:{message!r}")

    connection.close()


if __name__ == "__main__":
    main()
