"""Lesson 26, a consumer that takes a message and never acknowledges it.

    python stalled_consumer.py

The broker's consumer timeout (consumer_timeout in rabbitmq.conf, 30 minutes by default) ends
such a consumer and puts the message back on the queue:
- RabbitMQ 3.x and 4.0-4.2 close the channel with PRECONDITION_FAILED;
- RabbitMQ 4.3 cancels only the consumer (basic.cancel) and keeps the channel open. From 4.3 the
  timeout applies to quorum queues only, which is why this queue is a quorum queue.
"""

import argparse
import os

import pika
import pika.exceptions

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Take one message and never ack it.")
    parser.add_argument("--queue", default="pressure.stalled")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(args.queue, durable=True, arguments={"x-queue-type": "quorum"})
    channel.basic_qos(prefetch_count=1)

    def on_message(channel, method, properties, body):
        print(f" [x] Received {body.decode()!r}; I will never ack it")

    def on_cancel(method_frame):
        print(" [!] The broker cancelled this consumer (consumer timeout); the channel stays open")

    channel.add_on_cancel_callback(on_cancel)
    channel.basic_consume(args.queue, on_message)
    print(f" [*] Waiting for messages on '{args.queue}'")
    try:
        channel.start_consuming()  # returns when the broker cancels the consumer
    except pika.exceptions.ChannelClosedByBroker as exc:
        print(f" [!] The broker closed the channel: {exc.reply_code} {exc.reply_text}")
    connection.close()


if __name__ == "__main__":
    main()
