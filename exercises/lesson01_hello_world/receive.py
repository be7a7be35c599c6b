"""Exercise 1, the consumer: print the messages of the queue 'exercise01.greetings'.

    python receive.py              # until Ctrl+C
    python receive.py --count 3    # stop after three messages

TODO: consume from the queue and print each message as " [x] Received 'text'", as lesson 1's
receive.py does; with --count N, stop after N messages.
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "exercise01.greetings"


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"Print the messages of the queue '{QUEUE}'.")
    parser.add_argument("--count", type=int, default=0, help="stop after this many messages (0: never)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True)

    # TODO: a callback that prints each message's body (and stops after args.count messages),
    # registered with channel.basic_consume(...) before start_consuming().

    limit = f"up to {args.count}" if args.count else "until Ctrl+C"
    print(f" [*] Waiting for messages ({limit}). To exit press CTRL+C")
    channel.start_consuming()  # with no consumer registered, this returns at once
    connection.close()


if __name__ == "__main__":
    main()
