"""Lesson 3, a subscriber: a private queue bound to the exchange 'logs'; print what arrives.

    python receive_logs.py            # until Ctrl+C
    python receive_logs.py --max-messages 3
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print every log line sent while this receiver runs.")
    parser.add_argument("--max-messages", type=int, default=0,
                        help="stop after this many messages (default: run until Ctrl+C)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    channel.exchange_declare(exchange="logs", exchange_type="fanout")

    # queue="" lets the broker pick a fresh name (amq.gen-...); exclusive=True deletes the
    # queue when this connection closes. Each receiver gets its own queue, so each gets a copy.
    result = channel.queue_declare(queue="", exclusive=True)
    queue_name = result.method.queue

    # The binding tells the exchange to copy messages into our queue.
    channel.queue_bind(exchange="logs", queue=queue_name)
    print(f" [*] Queue {queue_name} bound to exchange 'logs'")

    received = 0

    def callback(ch, method, properties, body):
        nonlocal received
        received += 1
        print(f" [x] {body.decode()}")
        if received == args.max_messages:
            ch.stop_consuming()

    channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)

    print(" [*] Waiting for logs. To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
