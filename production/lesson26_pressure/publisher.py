"""Lesson 26, a publisher that notices when the broker blocks it.

    python publisher.py --count 3 --blocked-timeout 30

While a memory or disk alarm is on, RabbitMQ stops reading from every connection that publishes.
pika reports it (connection.blocked / connection.unblocked) and, with blocked_connection_timeout,
gives up on a connection that stays blocked too long.
"""

import argparse
import os
import sys

import pika
import pika.exceptions

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Publish jobs with confirms; report when blocked.")
    parser.add_argument("--queue", default="pressure.jobs")
    parser.add_argument("--name", default="job", help="prefix of the message bodies")
    parser.add_argument("--count", type=int, default=3, help="messages to publish")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between messages")
    parser.add_argument("--blocked-timeout", type=float, default=30.0,
                        help="give up when the broker blocks us longer than this (seconds)")
    args = parser.parse_args(argv)

    parameters = pika.URLParameters(AMQP_URL)
    parameters.blocked_connection_timeout = args.blocked_timeout
    connection = pika.BlockingConnection(parameters)
    blocked = False

    def on_blocked(connection, method_frame):
        nonlocal blocked
        blocked = True
        print(f" [!] Blocked by the broker: {method_frame.method.reason}; waiting")

    def on_unblocked(connection, method_frame):
        nonlocal blocked
        blocked = False
        print(" [*] Unblocked: the alarm is over")

    connection.add_on_connection_blocked_callback(on_blocked)
    connection.add_on_connection_unblocked_callback(on_unblocked)
    channel = connection.channel()
    channel.queue_declare(queue=args.queue, durable=True)
    print(f" [*] Connected; publishing {args.count} message(s) to '{args.queue}'")

    for number in range(1, args.count + 1):
        body = f"{args.name}-{number}"
        channel.basic_publish(exchange="", routing_key=args.queue, body=body,
                              properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))
        print(f" [x] Sent {body!r}")
        try:
            # pika runs the blocked/unblocked callbacks while it processes events, as here.
            connection.sleep(args.interval)
            while blocked:  # publish nothing more until the alarm is over
                connection.sleep(0.1)
        except pika.exceptions.ConnectionBlockedTimeout:
            print(f" [!] Gave up: blocked for more than {args.blocked_timeout:g} s "
                  f"(blocked_connection_timeout). {body!r} was sent, but is it there? Only a confirm would say.")
            sys.exit(1)
    connection.close()


if __name__ == "__main__":
    main()
