"""Lesson 10, a slow consumer: takes its time over each task, so the queue has a depth to watch.

    python slow_consumer.py --delay 0.5
"""

import argparse
import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

QUEUE = "lesson10.tasks"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Work through 'lesson10.tasks' slowly.")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds of 'work' per task (default 0.2)")
    parser.add_argument("--max-messages", type=int, default=0,
                        help="stop after this many tasks (default: run until Ctrl+C)")
    args = parser.parse_args(argv)

    parameters = pika.URLParameters(AMQP_URL)
    parameters.client_properties = {"connection_name": "lesson10 slow consumer"}  # shown in the UI
    connection = pika.BlockingConnection(parameters)
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True)
    channel.basic_qos(prefetch_count=1)
    done = 0

    def callback(ch, method, properties, body):
        nonlocal done
        time.sleep(args.delay)  # the "work"; keep it well under the heartbeat interval
        ch.basic_ack(delivery_tag=method.delivery_tag)
        done += 1
        print(f" [x] Done {body.decode()!r}")
        if done == args.max_messages:
            ch.stop_consuming()

    channel.basic_consume(queue=QUEUE, on_message_callback=callback)
    print(" [*] Waiting for messages. To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
