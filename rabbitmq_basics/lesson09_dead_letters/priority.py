"""Lesson 9, a priority queue: urgent messages overtake a backlog.

'lesson09.priority' is declared with x-max-priority 10. The program queues a backlog of
low-priority messages (priority 1), starts working through them one at a time (prefetch 1),
and after the second one sends a few urgent messages (priority 9): the broker delivers those
next, ahead of the rest of the backlog.

    python priority.py
    python priority.py --backlog 20 --urgent 5
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

QUEUE = "lesson09.priority"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Show urgent messages overtaking a backlog.")
    parser.add_argument("--backlog", type=int, default=8, help="low-priority messages queued first (default 8)")
    parser.add_argument("--urgent", type=int, default=3, help="high-priority messages sent later (default 3)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True, arguments={"x-max-priority": 10})
    channel.confirm_delivery()  # basic_publish returns once the queue has the message

    for i in range(1, args.backlog + 1):
        channel.basic_publish(exchange="", routing_key=QUEUE, body=f"low {i}",
                              properties=pika.BasicProperties(priority=1))
    print(f" [x] Sent a backlog of {args.backlog} messages with priority 1")

    channel.basic_qos(prefetch_count=1)  # one message at a time, so the broker still holds the rest
    received = 0

    def callback(ch, method, properties, body):
        nonlocal received
        received += 1
        print(f" [.] Got {body.decode()!r} (priority {properties.priority})")
        if received == 2:
            for i in range(1, args.urgent + 1):
                ch.basic_publish(exchange="", routing_key=QUEUE, body=f"urgent {i}",
                                 properties=pika.BasicProperties(priority=9))
            print(f" [x] Sent {args.urgent} urgent messages with priority 9")
        # Ack after the urgent ones are confirmed: the broker then picks the next message by priority.
        ch.basic_ack(delivery_tag=method.delivery_tag)
        if received == args.backlog + args.urgent:
            ch.stop_consuming()

    channel.basic_consume(queue=QUEUE, on_message_callback=callback)
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
