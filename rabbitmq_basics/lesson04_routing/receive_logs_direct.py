"""Lesson 4, a subscriber: bind a private queue once per severity; print what arrives.

    python receive_logs_direct.py error              # errors only
    python receive_logs_direct.py info warning error
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def severity(text):
    # A binding key is an AMQP "short string": at most 255 bytes.
    if len(text.encode()) > 255:
        raise argparse.ArgumentTypeError(
            f"a severity is a binding key, at most 255 bytes; this one has {len(text.encode())}.")
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print the log lines of the severities you name.")
    parser.add_argument("severities", nargs="+", metavar="SEVERITY", type=severity,
                        help="one or more binding keys, e.g. info warning error")
    parser.add_argument("--max-messages", type=int, default=0,
                        help="stop after this many messages (default: run until Ctrl+C)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    channel.exchange_declare(exchange="direct_logs", exchange_type="direct")

    result = channel.queue_declare(queue="", exclusive=True)
    queue_name = result.method.queue

    # One binding per severity: the same queue can be bound several times with different keys.
    for key in args.severities:
        channel.queue_bind(exchange="direct_logs", queue=queue_name, routing_key=key)
    print(f" [*] Queue {queue_name} bound to 'direct_logs' with keys: {' '.join(args.severities)}")

    received = 0

    def callback(ch, method, properties, body):
        nonlocal received
        received += 1
        print(f" [x] {method.routing_key}:{body.decode()}")
        if received == args.max_messages:
            ch.stop_consuming()

    channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)

    print(" [*] Waiting for logs. To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
