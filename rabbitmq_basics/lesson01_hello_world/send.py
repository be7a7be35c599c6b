"""Lesson 1, the producer: put one message on the queue 'hello'.

    python -m rabbitmq_basics.lesson01_hello_world.send "Hello World!"
"""

import argparse

import pika

from lessons.roles import run_role
from lessons.settings import AMQP_URL


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
    run_role(main)
