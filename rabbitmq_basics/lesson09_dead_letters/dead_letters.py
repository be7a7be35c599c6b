"""Lesson 9, where dead letters come from: rejected, expired, and pushed out of a full queue.

A queue declared with `x-dead-letter-exchange` republishes the messages it gives up on to that
exchange, with an `x-death` header saying why (rejected, expired, maxlen) and from which queue.
Here every such queue dead-letters to the fanout exchange 'lesson09.dlx', whose queue
'lesson09.dead_letters' collects them. The TTLs are a fraction of a second so the demo is quick;
in real life they are seconds to days.

    python dead_letters.py
"""

import argparse
import logging
import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

DLX = "lesson09.dlx"
DEAD_LETTERS = "lesson09.dead_letters"
DEAD_LETTER_TO_DLX = {"x-dead-letter-exchange": DLX}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Make dead letters in four ways.")
    parser.add_argument("--ttl", type=int, default=200, help="the queue's message TTL in ms (default 200)")
    parser.add_argument("--max-length", type=int, default=2, help="length limit of the full queues (default 2)")
    args = parser.parse_args(argv)
    logging.getLogger("pika").setLevel(logging.ERROR)  # pika also logs each nack; we print our own line

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.confirm_delivery()

    # Where the dead letters go: a fanout exchange and one queue bound to it.
    channel.exchange_declare(exchange=DLX, exchange_type="fanout", durable=True)
    channel.queue_declare(queue=DEAD_LETTERS, durable=True)
    channel.queue_bind(queue=DEAD_LETTERS, exchange=DLX)

    # 1. Rejected: a consumer says "no, and do not requeue" with basic_reject or basic_nack.
    channel.queue_declare(queue="lesson09.work", durable=True, arguments=DEAD_LETTER_TO_DLX)
    for body in ("reject me", "nack me"):
        channel.basic_publish(exchange="", routing_key="lesson09.work", body=body)
    method, properties, body = channel.basic_get(queue="lesson09.work")
    channel.basic_reject(delivery_tag=method.delivery_tag, requeue=False)
    print(f" [x] basic_reject(requeue=False) of {body.decode()!r} from lesson09.work")
    method, properties, body = channel.basic_get(queue="lesson09.work")
    channel.basic_nack(delivery_tag=method.delivery_tag, requeue=False)
    print(f" [x] basic_nack(requeue=False) of {body.decode()!r} from lesson09.work")

    # 2. Expired: a queue-wide TTL (x-message-ttl), or a TTL on one message (expiration, in ms).
    channel.queue_declare(queue="lesson09.ttl", durable=True,
                          arguments={**DEAD_LETTER_TO_DLX, "x-message-ttl": args.ttl})
    channel.basic_publish(exchange="", routing_key="lesson09.ttl", body="expire with the queue's TTL")
    print(f" [x] Sent 'expire with the queue's TTL' to lesson09.ttl (x-message-ttl {args.ttl} ms)")
    channel.basic_publish(exchange="", routing_key="lesson09.work", body="expire with my own TTL",
                          properties=pika.BasicProperties(expiration=str(args.ttl // 2)))
    print(f" [x] Sent 'expire with my own TTL' to lesson09.work (expiration {args.ttl // 2} ms)")

    # 3. Too many: a length limit. drop-head (the default) dead-letters the oldest messages ...
    channel.queue_declare(queue="lesson09.drop_head", durable=True, arguments={
        **DEAD_LETTER_TO_DLX, "x-max-length": args.max_length, "x-overflow": "drop-head"})
    for i in range(1, args.max_length + 3):
        channel.basic_publish(exchange="", routing_key="lesson09.drop_head", body=f"drop-head {i}")
    print(f" [x] Sent {args.max_length + 2} messages to lesson09.drop_head (x-max-length {args.max_length}, "
          "drop-head): the oldest 2 are pushed out")

    # ... reject-publish-dlx refuses the newest one: the publisher gets a nack, the DLX a copy.
    channel.queue_declare(queue="lesson09.reject_publish", durable=True, arguments={
        **DEAD_LETTER_TO_DLX, "x-max-length": args.max_length, "x-overflow": "reject-publish-dlx"})
    for i in range(1, args.max_length + 2):
        try:
            channel.basic_publish(exchange="", routing_key="lesson09.reject_publish", body=f"reject-publish {i}")
        except pika.exceptions.NackError:
            print(f" [!] The broker nacked 'reject-publish {i}': lesson09.reject_publish is full "
                  "(reject-publish-dlx)")

    # Expiry happens in the background: wait (a little longer than the TTL) until all have arrived.
    expected = 2 + 2 + 2 + 1
    deadline = time.monotonic() + 10
    while channel.queue_declare(queue=DEAD_LETTERS, passive=True).method.message_count < expected:
        if time.monotonic() > deadline:
            break
        connection.sleep(0.05)  # like time.sleep, but keeps the connection serviced
    count = channel.queue_declare(queue=DEAD_LETTERS, passive=True).method.message_count
    print(f" [x] {count} dead letters wait in {DEAD_LETTERS}: look at their x-death headers "
          "(management UI, Queues, Get messages)")
    connection.close()


if __name__ == "__main__":
    main()
