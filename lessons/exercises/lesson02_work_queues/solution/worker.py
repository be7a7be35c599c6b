"""Exercise 2, the worker: do the tasks of the queue 'exercise02.tasks', fairly, losing none.

    python worker.py                          # one second per dot, until Ctrl+C
    python worker.py --seconds-per-dot 0.1

The reference solution.
"""

import argparse
import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "exercise02.tasks"


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"Do the tasks waiting on the queue '{QUEUE}'.")
    parser.add_argument("--seconds-per-dot", type=float, default=1.0,
                        help="how long each dot of a task takes")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True)

    def callback(ch, method, properties, body):
        task = body.decode()
        print(f" [x] Received {task!r}")
        time.sleep(task.count(".") * args.seconds_per_dot)
        print(f" [x] Done {task!r}")
        # Only now may the broker forget the task: if we die before this line, it goes back.
        ch.basic_ack(delivery_tag=method.delivery_tag)

    # Fair dispatch: no new task until this worker has acknowledged the one it holds.
    channel.basic_qos(prefetch_count=1)
    channel.basic_consume(queue=QUEUE, on_message_callback=callback)

    print(" [*] Waiting for messages. To exit press CTRL+C")
    channel.start_consuming()


if __name__ == "__main__":
    main()
