"""Lesson 2, the producer: put tasks on the durable queue 'task_queue'.

Each argument is one task; its dots say how long it takes (one second per dot by default).

    python new_task.py "First." "Second.." "Third..."
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send tasks to the queue 'task_queue'.")
    parser.add_argument("tasks", nargs="*", default=["Hello World!"],
                        help="one task per argument; each dot is a second of work")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    # durable=True: the queue survives a broker restart.
    channel.queue_declare(queue="task_queue", durable=True)

    for task in args.tasks:
        channel.basic_publish(
            exchange="",
            routing_key="task_queue",
            body=task,
            # Persistent: the broker writes the message to disk, so it survives a restart too.
            properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent),
        )
        print(f" [x] Sent {task!r}")

    connection.close()


if __name__ == "__main__":
    main()
