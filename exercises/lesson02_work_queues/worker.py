"""Exercise 2, the worker: do the tasks of the queue 'exercise02.tasks', fairly, losing none.

    python worker.py                          # one second per dot, until Ctrl+C
    python worker.py --seconds-per-dot 0.1

It works, but it is neither fair nor safe. TODO (see the two TODO lines below):
1. Fair dispatch: it must hold at most one unacknowledged task at a time, so a busy worker
   leaves the waiting tasks to the others.
2. Acknowledge a task after its work is done, not when it arrives: a worker that dies
   mid-task must not lose the task.
Keep the " [x] Received" and " [x] Done" lines: the checker reads them.
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

    # TODO 1: fair dispatch, at most one unacknowledged task for this worker.
    # TODO 2: acknowledge each task after its work (not auto_ack on arrival).
    channel.basic_consume(queue=QUEUE, on_message_callback=callback, auto_ack=True)

    print(" [*] Waiting for messages. To exit press CTRL+C")
    channel.start_consuming()


if __name__ == "__main__":
    main()
