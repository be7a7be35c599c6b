"""Exercise 26: publish to a queue that holds at most 5 messages, and know which ones it refused.

    python publish_limited.py --count 8

The queue 'exercise26.limited' holds at most 5 messages (x-max-length) and refuses new ones
once it is full (x-overflow: reject-publish). The broker tells only a publisher that asked for
publisher confirms: this one did not, so it believes every message arrived.

TODO: turn on publisher confirms. Then basic_publish raises pika.exceptions.NackError for a
message the broker refused: print " [!] Refused 'job-N'" for it instead of " [x] Sent 'job-N'",
go on with the next one, and count both in the last line: " [.] 5 sent, 3 refused".
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
    # TODO: ask for publisher confirms on this channel.

    sent = refused = 0
    for number in range(1, args.count + 1):
        body = f"job-{number}"
        # TODO: with confirms on, a refused message raises pika.exceptions.NackError here.
        channel.basic_publish("", QUEUE, body)
        sent += 1
        print(f" [x] Sent {body!r}")
    print(f" [.] {sent} sent, {refused} refused")
    connection.close()


if __name__ == "__main__":
    main()
