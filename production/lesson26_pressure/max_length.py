"""Lesson 26, a queue with a length limit: what happens to the messages that do not fit.

    python max_length.py --overflow drop-head
    python max_length.py --overflow reject-publish

The queue holds at most --max-length messages. With drop-head (the default) the oldest message
makes room and goes to the dead-letter exchange; with reject-publish the new message is refused
and a publisher with confirms sees the nack.
"""

import argparse
import os

import pika
import pika.exceptions

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
DEAD_LETTERS = "pressure.dead-letters"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Publish more messages than a limited queue holds.")
    parser.add_argument("--overflow", choices=["drop-head", "reject-publish"], default="drop-head")
    parser.add_argument("--max-length", type=int, default=3)
    parser.add_argument("--count", type=int, default=5)
    args = parser.parse_args(argv)
    queue = f"pressure.limited.{args.overflow}"

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    # Start clean, so the numbers below are this run's.
    channel.queue_delete(queue)
    channel.queue_delete(DEAD_LETTERS)
    channel.exchange_declare(DEAD_LETTERS, exchange_type="fanout", durable=True)
    channel.queue_declare(DEAD_LETTERS, durable=True)
    channel.queue_bind(DEAD_LETTERS, DEAD_LETTERS)
    channel.queue_declare(queue, durable=True, arguments={
        "x-max-length": args.max_length,      # x-max-length-bytes limits the size instead
        "x-overflow": args.overflow,
        "x-dead-letter-exchange": DEAD_LETTERS,
    })
    channel.confirm_delivery()
    print(f" [*] '{queue}' holds at most {args.max_length} messages (x-overflow: {args.overflow})")

    for number in range(1, args.count + 1):
        body = f"msg-{number}"
        try:
            channel.basic_publish("", queue, body)
            print(f" [x] Sent {body!r}: confirmed")
        except pika.exceptions.NackError:
            print(f" [!] Sent {body!r}: NACKED, the queue is full")

    def drain(name):
        bodies = []
        while True:
            method, properties, body = channel.basic_get(name, auto_ack=True)
            if method is None:
                return bodies
            reason = (properties.headers or {}).get("x-death", [{}])[0].get("reason")
            bodies.append(body.decode() + (f" ({reason})" if reason else ""))

    print(f" [.] In the queue: {', '.join(drain(queue)) or 'nothing'}")
    print(f" [.] Dead-lettered: {', '.join(drain(DEAD_LETTERS)) or 'nothing'}")
    channel.queue_delete(queue)
    connection.close()


if __name__ == "__main__":
    main()
