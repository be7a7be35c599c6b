"""Lesson 9, the producer for the retry worker: send tasks to 'lesson09.tasks'.

'ok ...' succeeds, 'flaky-N ...' fails until its N-th try, 'poison ...' always fails.

    python -m rabbitmq_basics.lesson09_dead_letters.new_task "ok 1" "flaky-2 report" "poison pill"
"""

import argparse

import pika

from lessons.roles import run_role
from lessons.settings import AMQP_URL

from .retry_worker import TASKS, declare_queues


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
    run_role(main)
