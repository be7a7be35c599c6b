"""Lesson 11, the worker: lesson 2's worker written with kombu's ConsumerMixin.

    python worker.py                  # until Ctrl+C
    python worker.py --broker redis --max-messages 5

ConsumerMixin owns the loop: it connects (retrying), consumes, and reconnects when the
connection is lost. We only say which queues to consume and what to do with a message.
"""

import argparse
import time

from kombu import Connection
from kombu.mixins import ConsumerMixin

from queues import BROKERS, task_queue


class Worker(ConsumerMixin):
    def __init__(self, connection, seconds_per_dot, max_messages, idle_timeout):
        self.connection = connection
        self.seconds_per_dot = seconds_per_dot
        self.max_messages = max_messages
        self.idle_timeout = idle_timeout
        self.done = 0
        self.last_message = time.monotonic()

    def get_consumers(self, Consumer, channel):
        # prefetch_count=1: fair dispatch, one unacked message at a time (lesson 2's basic_qos).
        return [Consumer(queues=[task_queue], callbacks=[self.on_task],
                         accept=["json"], prefetch_count=1)]

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        print(" [*] Waiting for messages. To exit press CTRL+C")

    def on_connection_error(self, exc, interval):
        print(f" [!] Cannot reach the broker ({exc}). Trying again in {interval} s.")

    def on_task(self, body, message):
        # body is already a dict: kombu decoded the JSON (content type: message.content_type).
        print(f" [x] Received {body!r} as {message.content_type}")
        time.sleep(body["task"].count(".") * self.seconds_per_dot)
        print(f" [x] Done #{body['seq']}")
        message.ack()
        self.done += 1
        self.last_message = time.monotonic()
        if self.done == self.max_messages:
            self.should_stop = True

    def on_iteration(self):
        # Called about once a second while idle: the place for --idle-timeout.
        if self.idle_timeout and time.monotonic() - self.last_message > self.idle_timeout:
            print(f" [*] No message for {self.idle_timeout:g} s, stopping.")
            self.should_stop = True


def main(argv=None):
    parser = argparse.ArgumentParser(description="Do the tasks that arrive on 'kombu_task_queue'.")
    parser.add_argument("--broker", choices=sorted(BROKERS), default="amqp",
                        help="the transport: RabbitMQ (amqp, default) or Redis")
    parser.add_argument("--seconds-per-dot", type=float, default=1.0,
                        help="how long each dot of a task takes (default 1 s, as in lesson 2)")
    parser.add_argument("--max-messages", type=int, default=0, help="stop after this many tasks")
    parser.add_argument("--idle-timeout", type=float, default=0,
                        help="stop after this many seconds without a task")
    parser.add_argument("--connect-retries", type=int, default=None,
                        help="give up after this many failed connection attempts (default: never)")
    args = parser.parse_args(argv)

    with Connection(BROKERS[args.broker], connect_timeout=3) as connection:
        worker = Worker(connection, args.seconds_per_dot, args.max_messages, args.idle_timeout)
        worker.connect_max_retries = args.connect_retries
        worker.run()


if __name__ == "__main__":
    main()
