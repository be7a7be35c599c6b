"""Lesson 2, the worker: take tasks from 'task_queue', do them, and acknowledge each one.

    python worker.py                 # fair dispatch
    python worker.py --prefetch 0    # plain round-robin
"""

import argparse
import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Do the tasks waiting on the queue 'task_queue'.")
    parser.add_argument("--prefetch", type=int, default=1,
                        help="unacknowledged tasks this worker may hold (0: no limit)")
    parser.add_argument("--seconds-per-dot", type=float, default=1.0,
                        help="how long each dot of a task takes (the demo uses 0.1)")
    parser.add_argument("--max-messages", type=int, default=0,
                        help="stop after this many tasks (default: run until Ctrl+C)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue="task_queue", durable=True)

    done = 0

    def callback(ch, method, properties, body):
        nonlocal done
        task = body.decode()
        again = " (redelivered)" if method.redelivered else ""
        print(f" [x] Received {task!r}{again}")
        time.sleep(task.count(".") * args.seconds_per_dot)
        # Only now may the broker forget the task. If we die before this line, it goes to
        # another worker.
        ch.basic_ack(delivery_tag=method.delivery_tag)
        print(f" [x] Done {task!r}")
        done += 1
        if done == args.max_messages:
            ch.stop_consuming()

    if args.prefetch:
        # Fair dispatch: no new task until this worker has acknowledged the previous one(s).
        channel.basic_qos(prefetch_count=args.prefetch)
    channel.basic_consume(queue="task_queue", on_message_callback=callback)

    print(" [*] Waiting for messages. To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
