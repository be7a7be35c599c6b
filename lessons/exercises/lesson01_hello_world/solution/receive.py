"""Exercise 1, the consumer: print the messages of the queue 'exercise01.greetings'.

    python receive.py              # until Ctrl+C
    python receive.py --count 3    # stop after three messages

The reference solution.
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

    received = 0

    def callback(ch, method, properties, body):
        nonlocal received
        print(f" [x] Received {body.decode()!r}")
        received += 1
        if received == args.count:
            ch.stop_consuming()

    channel.basic_consume(queue=QUEUE, on_message_callback=callback, auto_ack=True)

    limit = f"up to {args.count}" if args.count else "until Ctrl+C"
    print(f" [*] Waiting for messages ({limit}). To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
