"""Exercise 1, the producer: send each argument as one message to the queue 'exercise01.greetings'.

    python send.py hello world

The reference solution.
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "exercise01.greetings"


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"Send each argument as one message to the queue '{QUEUE}'.")
    parser.add_argument("texts", nargs="+", help="one message per argument")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    # durable=True: the queue survives a broker restart (RabbitMQ 4 deprecates transient ones).
    channel.queue_declare(queue=QUEUE, durable=True)

    for text in args.texts:
        # The default exchange ("") routes a message to the queue named by its routing key.
        channel.basic_publish(exchange="", routing_key=QUEUE, body=text)
        print(f" [x] Sent {text!r}")

    connection.close()


if __name__ == "__main__":
    main()
