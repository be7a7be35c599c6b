"""Exercise 1, the producer: send each argument as one message to the queue 'exercise01.greetings'.

    python send.py hello world

TODO: publish each text (see the loop below), as lesson 1's send.py does.
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
        # TODO: publish `text` to the queue QUEUE, through the default exchange.
        print(f" [x] Sent {text!r}")

    connection.close()


if __name__ == "__main__":
    main()
