"""Exercise 28, a solution: publish every order at once and count the confirms as they come back.

    python publisher.py --messages 2000

A BlockingConnection in confirm mode waits for each confirm inside basic_publish, so this uses
pika's asynchronous SelectConnection: the orders go out back to back, the broker confirms them
in a stream (one Basic.Ack with multiple=True may confirm many), and a callback counts them.
"""

import argparse
import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "exercise28.orders"
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)


def publish(count):
    """Publish `count` persistent orders; return (confirmed, nacked)."""
    outstanding = set()  # delivery tags (1, 2, 3, ... on the channel) not confirmed yet
    result = {"confirmed": 0, "nacked": 0, "error": None}

    def on_confirm(frame):
        method = frame.method
        # multiple=True: every message up to and including this delivery tag.
        tags = {t for t in outstanding if t <= method.delivery_tag} if method.multiple else {method.delivery_tag}
        outstanding.difference_update(tags)
        result["confirmed" if isinstance(method, pika.spec.Basic.Ack) else "nacked"] += len(tags)
        if not outstanding:
            connection.close()  # every order is confirmed or nacked

    def on_declared(frame):
        for i in range(count):
            channel.basic_publish(exchange="", routing_key=QUEUE, body=f"order {i}",
                                  properties=PERSISTENT)
            outstanding.add(i + 1)
        if not count:
            connection.close()

    def on_channel_open(opened):
        nonlocal channel
        channel = opened
        channel.confirm_delivery(ack_nack_callback=on_confirm)
        channel.queue_declare(queue=QUEUE, durable=True, callback=on_declared)

    def on_open_error(conn, error):
        result["error"] = error
        conn.ioloop.stop()

    channel = None
    connection = pika.SelectConnection(
        pika.URLParameters(AMQP_URL),
        on_open_callback=lambda conn: conn.channel(on_open_callback=on_channel_open),
        on_open_error_callback=on_open_error,
        on_close_callback=lambda conn, reason: conn.ioloop.stop(),
    )
    connection.ioloop.start()  # runs the callbacks above until the connection closes
    if result["error"] is not None:
        raise result["error"]
    return result["confirmed"], result["nacked"]


def main():
    parser = argparse.ArgumentParser(description="Publish persistent orders with publisher confirms.")
    parser.add_argument("--messages", type=int, default=2000, help="orders to publish (default 2000)")
    args = parser.parse_args()
    started = time.perf_counter()
    confirmed, nacked = publish(args.messages)
    seconds = time.perf_counter() - started
    print(f" [x] {args.messages} orders published: {confirmed} confirmed, {nacked} nacked, "
          f"in {seconds:.2f} s")


if __name__ == "__main__":
    main()
