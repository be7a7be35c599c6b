"""Lesson 11, the producer: lesson 2's new_task written with kombu.

    python new_task.py "A task..." "Another one."
    python new_task.py --count 10 --broker redis

Each message is a dict; kombu turns it into JSON (and back in the worker).
"""

import argparse

from kombu import Connection

from queues import BROKERS, task_exchange, task_queue

# Retry policy for a publish that meets a lost connection: 3 tries, 0 s, 1 s, 2 s apart.
RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 1, "interval_max": 2}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send tasks to the queue 'kombu_task_queue'.")
    parser.add_argument("tasks", nargs="*", default=["Hello World..."],
                        help="one message per task; each dot is a second of work for the worker")
    parser.add_argument("--count", type=int, default=0,
                        help="send this many numbered tasks ('task 1.', 'task 2..', ...) instead")
    parser.add_argument("--broker", choices=sorted(BROKERS), default="amqp",
                        help="the transport: RabbitMQ (amqp, default) or Redis")
    args = parser.parse_args(argv)
    tasks = [f"task {n}" + "." * (n % 3 + 1) for n in range(1, args.count + 1)] or args.tasks

    with Connection(BROKERS[args.broker], connect_timeout=3) as connection:
        # No hand-made reconnect loop: kombu retries with a policy, then raises OperationalError.
        connection.ensure_connection(max_retries=3, interval_start=0, interval_step=1)
        producer = connection.Producer(serializer="json")
        for seq, text in enumerate(tasks, start=1):
            body = {"seq": seq, "task": text}
            producer.publish(
                body,
                exchange=task_exchange,
                routing_key="kombu_task_queue",
                declare=[task_queue],  # declares exchange, queue and binding (once per connection)
                delivery_mode="persistent",
                retry=True,
                retry_policy=RETRY_POLICY,
            )
            print(f" [x] Sent {body!r}")


if __name__ == "__main__":
    main()
