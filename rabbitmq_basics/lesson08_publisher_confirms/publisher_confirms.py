"""Lesson 8, the publisher: three ways to wait for the broker's confirms, timed.

There is no Python version of the official tutorial 7 (its Java program is PublisherConfirms);
this is one. Every strategy publishes the same persistent messages to the same durable queue and
counts the confirms that come back:

- individually: publish one message, wait for its confirm, publish the next (BlockingConnection);
- in batches: publish a batch, wait until the whole batch is confirmed, publish the next batch;
- asynchronously: publish everything, and handle the confirms in a callback as they arrive.

The last two need pika's asynchronous SelectConnection: a BlockingConnection in confirm mode
waits for each message's confirm inside basic_publish.

    python publisher_confirms.py --strategy async
    python publisher_confirms.py --messages 20000
"""

import argparse
import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

QUEUE = "lesson08.confirms"
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)


def publish_messages_individually(count):
    """Publish a message, wait for its confirm, repeat. Returns (acked, nacked)."""
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True)
    channel.confirm_delivery()  # from now on basic_publish returns only once the broker confirms

    acked = nacked = 0
    for i in range(count):
        try:
            channel.basic_publish(exchange="", routing_key=QUEUE, body=f"message {i}",
                                  properties=PERSISTENT)
            acked += 1
        except pika.exceptions.NackError:
            nacked += 1  # the broker could not take it: publish it again, or log it
    connection.close()
    return acked, nacked


def publish_with_callbacks(count, batch_size=None):
    """Publish on a SelectConnection and count confirms in a callback. Returns (acked, nacked).

    With batch_size, publish that many, wait until all of them are confirmed, then go on;
    without it, publish everything at once and let the confirms stream back.
    """
    outstanding = {}  # delivery tag -> body, for the messages not confirmed yet
    result = {"acked": 0, "nacked": 0, "published": 0, "error": None}
    state = {}

    def publish_some(channel):
        end = count if batch_size is None else min(count, result["published"] + batch_size)
        while result["published"] < end:
            body = f"message {result['published']}"
            channel.basic_publish(exchange="", routing_key=QUEUE, body=body, properties=PERSISTENT)
            result["published"] += 1
            outstanding[result["published"]] = body  # delivery tags count 1, 2, 3, ... per channel

    def on_confirm(frame):
        # One Basic.Ack (or Basic.Nack) may confirm many messages at once: multiple=True means
        # "every message up to and including this delivery tag".
        method = frame.method
        tags = [t for t in outstanding if t <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        for tag in tags:
            del outstanding[tag]  # a nacked body could be published again here
        result["acked" if isinstance(method, pika.spec.Basic.Ack) else "nacked"] += len(tags)
        if outstanding:
            return
        if result["published"] < count:
            publish_some(state["channel"])  # the batch is confirmed: send the next one
        else:
            state["connection"].close()  # everything is confirmed

    def on_queue_declared(frame):
        publish_some(state["channel"])

    def on_channel_open(channel):
        state["channel"] = channel
        channel.confirm_delivery(ack_nack_callback=on_confirm)
        channel.queue_declare(queue=QUEUE, durable=True, callback=on_queue_declared)

    def on_open_error(connection, error):
        result["error"] = error
        connection.ioloop.stop()

    connection = pika.SelectConnection(
        pika.URLParameters(AMQP_URL),
        on_open_callback=lambda connection: connection.channel(on_open_callback=on_channel_open),
        on_open_error_callback=on_open_error,
        on_close_callback=lambda connection, reason: connection.ioloop.stop(),
    )
    state["connection"] = connection
    connection.ioloop.start()  # runs the callbacks above until the connection closes
    if result["error"] is not None:
        raise result["error"]
    return result["acked"], result["nacked"]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Publish persistent messages with publisher confirms, timed.")
    parser.add_argument("--strategy", choices=["individual", "batch", "async", "all"], default="all",
                        help="how to wait for confirms (default: all three, one after another)")
    parser.add_argument("--messages", type=int, default=5000, help="messages per strategy (default 5000)")
    parser.add_argument("--batch-size", type=int, default=100, help="messages per batch (default 100)")
    args = parser.parse_args(argv)

    strategies = {
        "individual": lambda: publish_messages_individually(args.messages),
        "batch": lambda: publish_with_callbacks(args.messages, batch_size=args.batch_size),
        "async": lambda: publish_with_callbacks(args.messages),
    }
    chosen = list(strategies) if args.strategy == "all" else [args.strategy]
    for name in chosen:
        started = time.perf_counter()
        acked, nacked = strategies[name]()
        seconds = time.perf_counter() - started
        print(f" [x] {name}: {args.messages} messages published to '{QUEUE}', {acked} confirmed, "
              f"{nacked} nacked, in {seconds:.2f} s ({args.messages / seconds:.0f} messages/s)")


if __name__ == "__main__":
    main()
