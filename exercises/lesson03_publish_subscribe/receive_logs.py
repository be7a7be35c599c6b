"""Exercise 3, a log receiver: print every line published to the fanout exchange 'exercise03.logs'.

    python receive_logs.py            # start two of them, in two terminals

TODO: start two receivers and publish a few lines: each receiver must print EVERY line. Here they
share one named queue, so the broker splits the lines between them instead. Give each receiver a
queue of its own that lives only as long as the receiver (see lesson 3).
"""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
EXCHANGE = "exercise03.logs"


def main():
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange=EXCHANGE, exchange_type="fanout")

    # TODO: one shared queue splits the lines between the receivers.
    queue_name = "exercise03.lines"
    channel.queue_declare(queue=queue_name, durable=True)
    channel.queue_bind(exchange=EXCHANGE, queue=queue_name)

    def callback(ch, method, properties, body):
        print(f" [x] {body.decode()}")

    channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)

    print(" [*] Waiting for logs. To exit press CTRL+C")
    channel.start_consuming()


if __name__ == "__main__":
    main()
