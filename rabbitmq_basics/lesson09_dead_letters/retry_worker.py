"""Lesson 9, delayed retry: a worker that retries failed tasks later, then parks them.

No plugin, no sleep in the worker: the delay is a queue with a TTL.

    lesson09.tasks ──reject──▶ lesson09.tasks.retry (x-message-ttl: the delay)
          ▲                              │ expires
          └──────────────────────────────┘
    after --max-tries failures: published to lesson09.tasks.parking_lot for a human

Both queues dead-letter through the default exchange ("") with a routing key naming the other
queue. The broker counts each trip in the message's `x-death` header, which is how the worker
knows which try this is. Tasks: 'ok ...' succeeds, 'flaky-N ...' fails until try N,
'poison ...' always fails.

    python retry_worker.py
    python retry_worker.py --max-tries 5 --delay 2000
"""

import argparse
import os
import re

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

TASKS = "lesson09.tasks"
RETRY = "lesson09.tasks.retry"
PARKING_LOT = "lesson09.tasks.parking_lot"


def declare_queues(channel, delay_ms):
    """The three queues; every program of this part declares them the same way."""
    channel.queue_declare(queue=TASKS, durable=True, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": RETRY})
    channel.queue_declare(queue=RETRY, durable=True, arguments={
        "x-message-ttl": delay_ms, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": TASKS})
    channel.queue_declare(queue=PARKING_LOT, durable=True)


def failed_tries(properties):
    """How often this message was rejected from the task queue, from its x-death header."""
    for death in (properties.headers or {}).get("x-death", []):
        if death["queue"] == TASKS and death["reason"] == "rejected":
            return death["count"]
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description="Do tasks; retry failures after a delay; park them after N tries.")
    parser.add_argument("--max-tries", type=int, default=3, help="tries before a task is parked (default 3)")
    parser.add_argument("--delay", type=int, default=300, help="ms before a retry (default 300)")
    parser.add_argument("--max-messages", type=int, default=0,
                        help="stop after this many tasks are done or parked (default: run until Ctrl+C)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    declare_queues(channel, args.delay)
    channel.basic_qos(prefetch_count=1)
    finished = 0

    def callback(ch, method, properties, body):
        nonlocal finished
        task = body.decode()
        attempt = failed_tries(properties) + 1
        print(f" [.] Got {task!r} (try {attempt} of {args.max_tries})")
        flaky = re.match(r"flaky-(\d+)", task)
        succeeds = task.startswith("ok") or (flaky is not None and attempt >= int(flaky.group(1)))
        if succeeds:
            print(f" [x] Done {task!r} on try {attempt}")
            ch.basic_ack(delivery_tag=method.delivery_tag)
        elif attempt < args.max_tries:
            print(f" [!] {task!r} failed: rejected, back in {args.delay} ms via {RETRY}")
            ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)  # dead-lettered to RETRY
            return
        else:
            ch.basic_publish(exchange="", routing_key=PARKING_LOT, body=body,
                             properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent,
                                                             headers={"tries": attempt}))
            ch.basic_ack(delivery_tag=method.delivery_tag)
            print(f" [!] {task!r} failed {attempt} times: parked in {PARKING_LOT}")
        finished += 1
        if finished == args.max_messages:
            ch.stop_consuming()

    channel.basic_consume(queue=TASKS, on_message_callback=callback)
    print(" [*] Waiting for tasks. To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
