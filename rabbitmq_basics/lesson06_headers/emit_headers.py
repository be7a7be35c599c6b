"""Lesson 6, the publisher: send a log line whose headers say what it is.

    python emit_headers.py source=kern severity=critical
    python emit_headers.py source=auth --message "Login failed"
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def header(text):
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not a header: write KEY=VALUE, e.g. severity=critical.")
    if len(key.encode()) > 255:
        raise argparse.ArgumentTypeError(
            f"a header name is at most 255 bytes; this one has {len(key.encode())}.")
    return key, value


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send a log line with headers to the exchange 'headers_logs'.")
    parser.add_argument("headers", nargs="*", metavar="KEY=VALUE", type=header,
                        help="the message's headers, e.g. source=kern severity=critical")
    parser.add_argument("--message", default="Hello World!", help="the log line (default: 'Hello World!')")
    parser.add_argument("--routing-key", default="",
                        help="a headers exchange ignores it; set one to see that (default: '')")
    args = parser.parse_args(argv)
    headers = dict(args.headers)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    # A headers exchange routes on the message's headers, not on its routing key.
    channel.exchange_declare(exchange="headers_logs", exchange_type="headers")

    channel.basic_publish(exchange="headers_logs", routing_key=args.routing_key, body=args.message,
                          properties=pika.BasicProperties(headers=headers))
    shown = ",".join(f"{k}={v}" for k, v in headers.items()) or "(no headers)"
    print(f" [x] Sent {shown}:{args.message!r}")

    connection.close()


if __name__ == "__main__":
    main()
