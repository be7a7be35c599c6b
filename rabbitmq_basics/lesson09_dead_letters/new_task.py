"""Lesson 9, the producer for the retry worker: send tasks to 'lesson09.tasks'.

'ok ...' succeeds, 'flaky-N ...' fails until its N-th try, 'poison ...' always fails.

    python new_task.py "ok 1" "flaky-2 report" "poison pill"
"""

import argparse
import os

import pika

from retry_worker import TASKS, declare_queues

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send tasks to the retry worker.")
    parser.add_argument("tasks", nargs="*", default=["ok 1", "flaky-2 report", "poison pill"],
                        help="the tasks to send (default: 'ok 1' 'flaky-2 report' 'poison pill')")
    parser.add_argument("--delay", type=int, default=300, help="the retry delay the queues use, ms (default 300)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    declare_queues(channel, args.delay)
    for task in args.tasks:
        channel.basic_publish(exchange="", routing_key=TASKS, body=task,
                              properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))
        print(f" [x] Sent {task!r}")
    connection.close()


if __name__ == "__main__":
    main()
