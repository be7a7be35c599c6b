"""Exercise 11, a kombu worker: do the tasks of 'exercise11.tasks', on RabbitMQ or on Redis.

    python worker.py                                   # RabbitMQ, until Ctrl+C
    python worker.py --broker redis --max-messages 3   # Redis, stop after three tasks

A task is a JSON object such as {"task": "resize.....", "seq": 1}: each dot is a unit of work.
The reference solution: prefetch_count=1 on the Consumer, message.ack() after the work.
"""

import argparse
import time

from kombu import Connection
from kombu.mixins import ConsumerMixin

from queues import BROKERS, task_queue


class Worker(ConsumerMixin):
    def __init__(self, connection, seconds_per_dot, max_messages):
        self.connection = connection
        self.seconds_per_dot = seconds_per_dot
        self.max_messages = max_messages
        self.done = 0

    def get_consumers(self, Consumer, channel):
        # prefetch_count=1: one unacknowledged message at a time (basic_qos, as in lesson 2).
        return [Consumer(queues=[task_queue], callbacks=[self.on_task], accept=["json"],
                         prefetch_count=1)]

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        print(" [*] Waiting for messages. To exit press CTRL+C")

    def on_task(self, body, message):
        print(f" [x] Received {body['task']!r}")
        time.sleep(body["task"].count(".") * self.seconds_per_dot)
        print(f" [x] Done #{body['seq']}")
        message.ack()  # after the work: a worker that dies mid-task loses nothing
        self.done += 1
        if self.done == self.max_messages:
            self.should_stop = True


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"Do the tasks of '{task_queue.name}'.")
    parser.add_argument("--broker", choices=sorted(BROKERS), default="amqp", help="RabbitMQ (amqp) or Redis")
    parser.add_argument("--seconds-per-dot", type=float, default=1.0, help="how long each dot takes")
    parser.add_argument("--max-messages", type=int, default=0, help="stop after this many tasks")
    args = parser.parse_args(argv)

    with Connection(BROKERS[args.broker], connect_timeout=3) as connection:
        Worker(connection, args.seconds_per_dot, args.max_messages).run()


if __name__ == "__main__":
    main()
