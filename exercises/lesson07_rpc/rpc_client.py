"""Exercise 7, the client: ask the server for fib(n) and print the answer, or give up in time.

    python rpc_client.py 20               # prints " [.] Got 6765"
    python rpc_client.py 20 --timeout 2   # with no server: " [!] No answer within 2 s", exit code 1

TODO (see call() below): the request goes out, but nothing comes back yet.
1. Declare a reply queue of this client's own (server-named, exclusive) and consume it.
2. Send the request with reply_to (that queue) and a fresh correlation_id.
3. Wait for the reply whose correlation_id is yours (the server also sends stray ones), at most
   `timeout` seconds, without a busy loop.
"""

import argparse
import os
import sys

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "exercise07.rpc"


def call(n, timeout):
    """fib(n) from the server, or None when no answer came within `timeout` seconds."""
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True)

    # TODO 1: a reply queue of our own, and a consumer on it.
    # TODO 2: reply_to and correlation_id in the request's properties.
    channel.basic_publish(exchange="", routing_key=QUEUE, body=str(n))
    # TODO 3: wait (at most `timeout` seconds) for the reply with our correlation_id.
    answer = None

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
