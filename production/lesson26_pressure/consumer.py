"""Lesson 26, a consumer that keeps draining a queue, alarm or not.

    python consumer.py --idle-timeout 5

A connection that only consumes is never blocked by a memory or disk alarm: consumers are what
brings memory use back down.
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Take messages from a queue and acknowledge them.")
    parser.add_argument("--queue", default="pressure.jobs")
    parser.add_argument("--max-messages", type=int, default=0, help="stop after this many (0: never)")
    parser.add_argument("--idle-timeout", type=float, default=0,
                        help="stop after this many seconds without a message (0: never)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    connection.add_on_connection_blocked_callback(
        lambda connection, frame: print(f" [!] Blocked by the broker: {frame.method.reason}"))
    channel = connection.channel()
    channel.queue_declare(queue=args.queue, durable=True)
    channel.basic_qos(prefetch_count=10)
    print(f" [*] Waiting for messages on '{args.queue}'")

    messages = channel.consume(args.queue, inactivity_timeout=args.idle_timeout or None)
    for received, (method, _properties, body) in enumerate(messages, start=1):
        if method is None:  # inactivity_timeout passed without a message
            print(f" [*] No message for {args.idle_timeout:g} s; stopping")
            break
        channel.basic_ack(method.delivery_tag)
        print(f" [x] Received {body.decode()!r}")
        if received == args.max_messages:
            break
    channel.cancel()
    connection.close()


if __name__ == "__main__":
    main()
