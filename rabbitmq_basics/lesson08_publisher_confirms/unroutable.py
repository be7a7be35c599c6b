"""Lesson 8, unroutable messages: what a confirm says when no queue takes the message.

A confirm means "the broker has taken responsibility for this message", not "a queue has it".
An exchange with no matching binding drops a message and still confirms it. Two ways to hear
about it instead:

- the `mandatory` flag: the broker returns the message (Basic.Return, 312 NO_ROUTE) before the
  confirm; pika's BlockingChannel in confirm mode raises UnroutableError with it;
- an alternate exchange: the exchange hands what it cannot route to another exchange, whose queue
  keeps it for someone to look at.

Last, publishing to an exchange that does not exist closes the channel (404 NOT_FOUND); the
connection survives, so the program opens a new channel and goes on.

    python unroutable.py
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

ORDERS = "lesson08.orders"  # a direct exchange, and the queue bound to it for 'order.created'
ORDERS_WITH_AE = "lesson08.orders_with_ae"  # the same, with an alternate exchange
UNROUTABLE = "lesson08.unroutable"  # the alternate exchange (fanout) and its queue
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send routable and unroutable messages with confirms.")
    parser.add_argument("--missing-exchange", default="lesson08.no_such_exchange",
                        help="an exchange name that does not exist, to publish to")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.confirm_delivery()

    channel.exchange_declare(exchange=ORDERS, exchange_type="direct", durable=True)
    channel.queue_declare(queue=ORDERS, durable=True)
    channel.queue_bind(queue=ORDERS, exchange=ORDERS, routing_key="order.created")

    # 1. Routed: a queue is bound for this key, the broker confirms once the queue has it.
    channel.basic_publish(exchange=ORDERS, routing_key="order.created", body="order 1 created",
                          properties=PERSISTENT, mandatory=True)
    print(f" [x] Sent 'order 1 created' (key order.created): confirmed, routed to queue '{ORDERS}'")

    # 2. Unroutable, with mandatory=True: the broker sends the message back, then confirms.
    try:
        channel.basic_publish(exchange=ORDERS, routing_key="order.refunded", body="order 1 refunded",
                              properties=PERSISTENT, mandatory=True)
    except pika.exceptions.UnroutableError as error:
        for returned in error.messages:
            print(f" [!] Returned {returned.body.decode()!r} (key {returned.method.routing_key}): "
                  f"{returned.method.reply_code} {returned.method.reply_text}")

    # 3. Unroutable, without mandatory: confirmed all the same, and dropped. Nobody is told.
    channel.basic_publish(exchange=ORDERS, routing_key="order.refunded", body="order 2 refunded",
                          properties=PERSISTENT)
    print(" [x] Sent 'order 2 refunded' (key order.refunded) without mandatory: confirmed, "
          "but no queue took it, so the broker dropped it")

    # 4. An alternate exchange catches what the exchange cannot route.
    channel.exchange_declare(exchange=UNROUTABLE, exchange_type="fanout", durable=True)
    channel.queue_declare(queue=UNROUTABLE, durable=True)
    channel.queue_bind(queue=UNROUTABLE, exchange=UNROUTABLE)
    channel.exchange_declare(exchange=ORDERS_WITH_AE, exchange_type="direct", durable=True,
                             arguments={"alternate-exchange": UNROUTABLE})
    channel.queue_bind(queue=ORDERS, exchange=ORDERS_WITH_AE, routing_key="order.created")
    channel.basic_publish(exchange=ORDERS_WITH_AE, routing_key="order.refunded", body="order 3 refunded",
                          properties=PERSISTENT, mandatory=True)
    print(f" [x] Sent 'order 3 refunded' to '{ORDERS_WITH_AE}': confirmed, not returned: "
          f"its alternate exchange routed it to queue '{UNROUTABLE}'")

    # 5. An exchange that does not exist: the broker closes the channel (not the connection).
    try:
        channel.basic_publish(exchange=args.missing_exchange, routing_key="order.created",
                              body="order 4 created", properties=PERSISTENT)
    except pika.exceptions.ChannelClosedByBroker as error:
        print(f" [!] The broker closed the channel: {error.reply_code} {error.reply_text}")
        print(" [.] The connection is still open: opening a new channel and going on")
        channel = connection.channel()
        channel.confirm_delivery()

    channel.basic_publish(exchange=ORDERS, routing_key="order.created", body="order 4 created",
                          properties=PERSISTENT, mandatory=True)
    print(f" [x] Sent 'order 4 created' on the new channel: confirmed, routed to queue '{ORDERS}'")
    connection.close()


if __name__ == "__main__":
    main()
