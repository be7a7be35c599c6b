"""Lesson 6, a subscriber: bind a private queue with header values to match, all or any of them.

    python receive_headers.py source=kern severity=critical
    python receive_headers.py --match any source=kern severity=critical
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
    if key.startswith("x-"):
        raise argparse.ArgumentTypeError(
            f"header names starting with 'x-' ({key!r}) are binding options, not matched against "
            "messages; pick another name.")
    return key, value


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print the log lines whose headers match.")
    parser.add_argument("headers", nargs="+", metavar="KEY=VALUE", type=header,
                        help="header values to match, e.g. source=kern severity=critical")
    parser.add_argument("--match", choices=["all", "any"], default="all",
                        help="all: every header must match (default); any: one is enough")
    parser.add_argument("--max-messages", type=int, default=0,
                        help="stop after this many messages (default: run until Ctrl+C)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    channel.exchange_declare(exchange="headers_logs", exchange_type="headers")

    result = channel.queue_declare(queue="", exclusive=True)
    queue_name = result.method.queue

    # The binding's arguments are the headers to look for, plus 'x-match' saying how.
    # The routing key of a binding to a headers exchange is ignored.
    arguments = {"x-match": args.match, **dict(args.headers)}
    channel.queue_bind(exchange="headers_logs", queue=queue_name, arguments=arguments)
    wanted = " ".join(f"{k}={v}" for k, v in args.headers)
    print(f" [*] Queue {queue_name} bound to 'headers_logs' with x-match={args.match} {wanted}")

    received = 0

    def callback(ch, method, properties, body):
        nonlocal received
        received += 1
        headers = ",".join(f"{k}={v}" for k, v in (properties.headers or {}).items()) or "(no headers)"
        print(f" [x] {headers}:{body.decode()}")
        if received == args.max_messages:
            ch.stop_consuming()

    channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)

    print(" [*] Waiting for logs. To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
