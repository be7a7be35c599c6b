"""Exercise 26: publish to a queue that holds at most 5 messages, and know which ones it refused.

    python publish_limited.py --count 8

The queue 'exercise26.limited' holds at most 5 messages (x-max-length) and refuses new ones
once it is full (x-overflow: reject-publish). The broker tells only a publisher that asked for
publisher confirms: with them, each refused message comes back as a nack.
"""

import argparse
import os

import pika
import pika.exceptions

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "exercise26.limited"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Publish jobs to a queue with a length limit.")
    parser.add_argument("--count", type=int, default=8, help="messages to publish")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(QUEUE, durable=True, arguments={"x-max-length": 5, "x-overflow": "reject-publish"})
    channel.confirm_delivery()  # basic_publish now waits for the broker's ack or nack

    sent = refused = 0
    for number in range(1, args.count + 1):
        body = f"job-{number}"
        try:
            channel.basic_publish("", QUEUE, body)
        except pika.exceptions.NackError:  # the queue is full: the broker refused it
            refused += 1
            print(f" [!] Refused {body!r}")
            continue
        sent += 1
        print(f" [x] Sent {body!r}")
    print(f" [.] {sent} sent, {refused} refused")
    connection.close()


if __name__ == "__main__":
    main()
