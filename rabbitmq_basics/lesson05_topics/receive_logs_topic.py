"""Lesson 5, a subscriber: bind a private queue with one or more patterns; print what arrives.

    python receive_logs_topic.py "#"                 # everything
    python receive_logs_topic.py "kern.*" "*.critical"

In a pattern, '*' stands for exactly one word and '#' for zero or more words.
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def pattern(text):
    if len(text.encode()) > 255:
        raise argparse.ArgumentTypeError(
            f"a pattern is a binding key, at most 255 bytes; this one has {len(text.encode())}.")
    words = text.split(".")
    if "" in words:
        raise argparse.ArgumentTypeError(
            f"the pattern {text!r} has an empty word (a dot at an end, or two dots in a row); "
            "write a word, '*' or '#' between the dots, e.g. 'kern.*'.")
    for word in words:
        if word not in ("*", "#") and ("*" in word or "#" in word):
            raise argparse.ArgumentTypeError(
                f"in the pattern {text!r}, {word!r} mixes a wildcard into a word: '*' and '#' "
                "only work as whole words between dots, e.g. 'kern.*'.")
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print the log lines whose key matches a pattern.")
    parser.add_argument("patterns", nargs="+", metavar="PATTERN", type=pattern,
                        help="binding patterns, e.g. 'kern.*' '*.critical' '#' (quote them in a shell)")
    parser.add_argument("--max-messages", type=int, default=0,
                        help="stop after this many messages (default: run until Ctrl+C)")
    args = parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    channel.exchange_declare(exchange="topic_logs", exchange_type="topic")

    result = channel.queue_declare(queue="", exclusive=True)
    queue_name = result.method.queue

    for binding_key in args.patterns:
        channel.queue_bind(exchange="topic_logs", queue=queue_name, routing_key=binding_key)
    print(f" [*] Queue {queue_name} bound to 'topic_logs' with: {' '.join(args.patterns)}")

    received = 0

    def callback(ch, method, properties, body):
        nonlocal received
        received += 1
        print(f" [x] {method.routing_key}:{body.decode()}")
        if received == args.max_messages:
            ch.stop_consuming()

    channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)

    print(" [*] Waiting for logs. To exit press CTRL+C")
    channel.start_consuming()
    connection.close()


if __name__ == "__main__":
    main()
