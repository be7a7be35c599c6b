"""Lesson 1, the producer: put one message on the queue 'hello'.

    python send.py "Hello World!"
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send one message to the queue 'hello'.")
    parser.add_argument("message", nargs="?", default="Hello World!", help="the text to send")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    # Declaring is idempotent: the queue is made only if it does not exist yet.
    # Durable and of type quorum, as in RabbitMQ's own tutorial today: RabbitMQ 4.x deprecates
    # queues that are neither durable nor exclusive (4.3 refuses them by default).
    channel.queue_declare(queue="hello", durable=True, arguments={"x-queue-type": "quorum"})

    # The default exchange ("") routes a message to the queue named by its routing key.
    channel.basic_publish(exchange="", routing_key="hello", body=args.message)
    print(f" [x] Sent {args.message!r}")

    connection.close()


if __name__ == "__main__":
    main()
