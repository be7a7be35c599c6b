"""Exercise 7, the client: ask the server for fib(n) and print the answer, or give up in time.

    python rpc_client.py 20               # prints " [.] Got 6765"
    python rpc_client.py 20 --timeout 2   # with no server: " [!] No answer within 2 s", exit code 1

The reference solution.
"""

import argparse
import os
import sys
import time
import uuid

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "exercise07.rpc"


def call(n, timeout):
    """fib(n) from the server, or None when no answer came within `timeout` seconds."""
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True)

    # Our own reply queue: the broker names it, and deletes it when we disconnect.
    reply_queue = channel.queue_declare(queue="", exclusive=True).method.queue
    correlation_id = str(uuid.uuid4())
    answer = None

    def on_reply(ch, method, props, body):
        nonlocal answer
        if props.correlation_id == correlation_id:  # a stray reply is not ours: skip it
            answer = int(body)

    channel.basic_consume(queue=reply_queue, on_message_callback=on_reply, auto_ack=True)
    channel.basic_publish(exchange="", routing_key=QUEUE, body=str(n),
                          properties=pika.BasicProperties(reply_to=reply_queue,
                                                          correlation_id=correlation_id))

    # process_data_events(time_limit=...) sleeps in the socket until data comes or time is up.
    deadline = time.monotonic() + timeout
    while answer is None and (left := deadline - time.monotonic()) > 0:
        connection.process_data_events(time_limit=left)

    connection.close()
    return answer


def main(argv=None):
    parser = argparse.ArgumentParser(description="Ask the server for fib(n).")
    parser.add_argument("n", type=int, help="which Fibonacci number")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the answer")
    args = parser.parse_args(argv)

    print(f" [x] Requesting fib({args.n})")
    answer = call(args.n, args.timeout)
    if answer is None:
        print(f" [!] No answer within {args.timeout:g} s. Is the server running?")
        return 1
    print(f" [.] Got {answer}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
