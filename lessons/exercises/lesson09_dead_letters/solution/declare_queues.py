"""Exercise 9: no message may leave the work queue unseen; dead letters go to 'exercise09.dead'.

    python declare_queues.py     # declares the exchange and the queues, and exits

Messages leave 'exercise09.work' without being processed when a consumer rejects them, when
they expire, or when the queue is full. The reference solution: two queue arguments,
x-dead-letter-exchange and x-max-length (its default overflow, drop-head, dead-letters the oldest).
"""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main():
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    # Where dead letters end up: a fanout exchange and the queue bound to it.
    channel.exchange_declare(exchange="exercise09.dlx", exchange_type="fanout", durable=True)
    channel.queue_declare(queue="exercise09.dead", durable=True)
    channel.queue_bind(exchange="exercise09.dlx", queue="exercise09.dead")

    channel.queue_declare(queue="exercise09.work", durable=True, arguments={
        "x-dead-letter-exchange": "exercise09.dlx",  # rejected, expired or pushed out: go there
        "x-max-length": 3,  # a fourth message pushes the oldest out (overflow "drop-head")
    })
    print(" [x] Declared exercise09.work, exercise09.dlx and exercise09.dead")

    connection.close()


if __name__ == "__main__":
    main()
