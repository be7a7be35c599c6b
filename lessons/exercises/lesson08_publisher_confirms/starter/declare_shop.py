"""Exercise 8b: declare the exchange 'exercise08.shop' so that what no queue takes is kept.

    python declare_shop.py      # declares the exchanges and the queue, and exits

Messages published to 'exercise08.shop' with a routing key that no queue is bound with are
dropped. TODO: declare 'exercise08.shop' so that the broker hands those messages to the fanout
exchange 'exercise08.unrouted' instead (its queue 'exercise08.unrouted' then keeps them).
If you ran an earlier version, delete the old exchange first: the broker refuses to redeclare
an exchange with other arguments.
"""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main():
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    # Where unroutable messages should end up.
    channel.exchange_declare(exchange="exercise08.unrouted", exchange_type="fanout", durable=True)
    channel.queue_declare(queue="exercise08.unrouted", durable=True)
    channel.queue_bind(exchange="exercise08.unrouted", queue="exercise08.unrouted")

    # TODO: unroutable messages of this exchange are lost.
    channel.exchange_declare(exchange="exercise08.shop", exchange_type="direct", durable=True)
    print(" [x] Declared exercise08.shop, exercise08.unrouted and its queue")

    connection.close()


if __name__ == "__main__":
    main()
