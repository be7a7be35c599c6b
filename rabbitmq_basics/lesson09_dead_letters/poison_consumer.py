"""Lesson 9, a quorum queue's delivery limit: a poison message is dead-lettered, not retried forever.

'lesson09.quorum' is a quorum queue with x-delivery-limit 2 and a dead-letter exchange. This
consumer fails on every message and returns it with basic_reject(requeue=True), which counts as a
failed delivery. After the limit the broker stops redelivering and dead-letters the message
(x-death reason 'delivery_limit'). Without a limit (RabbitMQ 3.x) it would loop forever; RabbitMQ
4.x sets a default limit of 20.

    python poison_consumer.py --publish "poison pill"
    python poison_consumer.py --idle-timeout 2
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

QUEUE = "lesson09.quorum"
DLX = "lesson09.dlx"
DEAD_LETTERS = "lesson09.dead_letters"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Fail on every message of a quorum queue with a delivery limit.")
    parser.add_argument("--publish", metavar="TEXT", help="first send one message with this text")
    parser.add_argument("--delivery-limit", type=int, default=2, help="x-delivery-limit of the queue (default 2)")
    parser.add_argument("--idle-timeout", type=float, default=0,
                        help="stop after this many seconds without a delivery (default: run until Ctrl+C)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange=DLX, exchange_type="fanout", durable=True)
    channel.queue_declare(queue=DEAD_LETTERS, durable=True)
    channel.queue_bind(queue=DEAD_LETTERS, exchange=DLX)
    channel.queue_declare(queue=QUEUE, durable=True, arguments={
        "x-queue-type": "quorum", "x-delivery-limit": args.delivery_limit, "x-dead-letter-exchange": DLX})

    if args.publish:
        channel.basic_publish(exchange="", routing_key=QUEUE, body=args.publish,
                              properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))
        print(f" [x] Sent {args.publish!r} to the quorum queue {QUEUE} (x-delivery-limit {args.delivery_limit})")

    channel.basic_qos(prefetch_count=1)
    print(" [*] Waiting for messages. To exit press CTRL+C")
    for method, properties, body in channel.consume(queue=QUEUE, inactivity_timeout=args.idle_timeout or None):
        if method is None:  # nothing arrived for --idle-timeout seconds
            print(f" [*] No delivery for {args.idle_timeout:g} s: stopping")
            break
        count = (properties.headers or {}).get("x-delivery-count", 0)
        print(f" [.] Got {body.decode()!r} (redelivered={method.redelivered}, x-delivery-count {count}): "
              "failing, basic_reject(requeue=True)")
        # reject, not nack: since RabbitMQ 4.3 only basic_reject counts as a failed delivery.
        channel.basic_reject(delivery_tag=method.delivery_tag, requeue=True)
    channel.cancel()
    connection.close()


if __name__ == "__main__":
    main()
