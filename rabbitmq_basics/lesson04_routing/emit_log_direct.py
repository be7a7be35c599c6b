"""Lesson 4, the publisher: send a log line with its severity as the routing key.

    python emit_log_direct.py error "Run. Run. Or it will explode."
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def severity(text):
    # A routing key is an AMQP "short string": at most 255 bytes.
    if len(text.encode()) > 255:
        raise argparse.ArgumentTypeError(
            f"a severity is a routing key, at most 255 bytes; this one has {len(text.encode())}.")
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send a log line to the receivers of its severity.")
    parser.add_argument("severity", nargs="?", default="info", type=severity,
                        help="the routing key, e.g. info, warning, error (default: info)")
    parser.add_argument("message", nargs="*", help="the log line (default: 'Hello World!')")
    args = parser.parse_args(argv)
    message = " ".join(args.message) or "Hello World!"

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    # A direct exchange delivers a message to the queues whose binding key equals its routing key.
    channel.exchange_declare(exchange="direct_logs", exchange_type="direct")

    channel.basic_publish(exchange="direct_logs", routing_key=args.severity, body=message)
    print(f" [x] Sent {args.severity}:{message!r}")

    connection.close()


if __name__ == "__main__":
    main()
