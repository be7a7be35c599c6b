"""Lesson 10, the producer: tasks through a topic exchange, to a work queue and an audit queue.

    python producer.py --count 100 --rate 10
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

EXCHANGE = "lesson10.events"


def declare_topology(channel):
    """The exchange, the two queues and their bindings; the watcher and the diagram show them."""
    channel.exchange_declare(exchange=EXCHANGE, exchange_type="topic", durable=True)
    channel.queue_declare(queue="lesson10.tasks", durable=True)
    channel.queue_declare(queue="lesson10.audit", durable=True)
    channel.queue_bind(queue="lesson10.tasks", exchange=EXCHANGE, routing_key="task.*")
    channel.queue_bind(queue="lesson10.audit", exchange=EXCHANGE, routing_key="#")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Publish tasks to the 'lesson10.events' exchange.")
    parser.add_argument("--count", type=int, default=30, help="how many tasks (default 30)")
    parser.add_argument("--rate", type=float, default=20, help="tasks per second, 0 = as fast as possible (default 20)")
    args = parser.parse_args(argv)

    parameters = pika.URLParameters(AMQP_URL)
    parameters.client_properties = {"connection_name": "lesson10 producer"}  # shown in the UI
    connection = pika.BlockingConnection(parameters)
    channel = connection.channel()
    declare_topology(channel)

    for i in range(1, args.count + 1):
        channel.basic_publish(exchange=EXCHANGE, routing_key="task.created", body=f"task {i}",
                              properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))
        print(f" [x] Sent 'task {i}'")
        if args.rate:
            connection.sleep(1 / args.rate)
    connection.close()


if __name__ == "__main__":
    main()
