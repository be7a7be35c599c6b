"""Exercise 3, a log receiver: print every line published to the fanout exchange 'exercise03.logs'.

    python receive_logs.py            # start two of them, in two terminals

The reference solution: each receiver declares a queue of its own, named by the broker and
exclusive (deleted when the receiver disconnects), and binds it to the exchange.
"""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
EXCHANGE = "exercise03.logs"


def main():
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange=EXCHANGE, exchange_type="fanout")

    # queue="": the broker names it (amq.gen-...); exclusive: it is this connection's own and
    # goes away with it. Every receiver gets its own queue, so every receiver gets every line.
    result = channel.queue_declare(queue="", exclusive=True)
    queue_name = result.method.queue
    channel.queue_bind(exchange=EXCHANGE, queue=queue_name)

    def callback(ch, method, properties, body):
        print(f" [x] {body.decode()}")

    channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)

    print(" [*] Waiting for logs. To exit press CTRL+C")
    channel.start_consuming()


if __name__ == "__main__":
    main()
