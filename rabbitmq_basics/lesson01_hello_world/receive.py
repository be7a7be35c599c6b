"""Lesson 1, the consumer: print every message that arrives on the queue 'hello'.

    python receive.py            # until Ctrl+C
    python receive.py --max-messages 2
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print the messages that arrive on the queue 'hello'.")
    parser.add_argument("--max-messages", type=int, default=0,
                        help="stop after this many messages (default: run until Ctrl+C)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    # Declared here too, with the same arguments: whichever program starts first creates the queue.
    channel.queue_declare(queue="hello", durable=True, arguments={"x-queue-type": "quorum"})

    received = 0

    def callback(ch, method, properties, body):
        nonlocal received
        received += 1
        print(f" [x] Received {body.decode()!r}")
        if received == args.max_messages:
            ch.stop_consuming()

    # auto_ack=True: the broker forgets a message as soon as it has sent it to us.
    channel.basic_consume(queue="hello", on_message_callback=callback, auto_ack=True)

    print(" [*] Waiting for messages. To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
