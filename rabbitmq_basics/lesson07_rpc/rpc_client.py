"""Lesson 7, the client: call fib(n) on an rpc_server and wait for the reply, with a timeout.

    python rpc_client.py 30
    python rpc_client.py 30 --timeout 2           # give up after 2 s
    python rpc_client.py 10 --count 200           # round trips per second
    python rpc_client.py 30 --direct-reply-to     # no reply queue at all
"""

import argparse
import os
import sys
import time
import uuid

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"


class RpcTimeout(Exception):
    pass


class RemoteError(Exception):
    pass


class FibonacciRpcClient:
    def __init__(self, timeout, direct_reply_to=False):
        self.timeout = timeout
        self.connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
        self.channel = self.connection.channel()

        # Declared here too, so a request sent before any server runs waits in the queue.
        self.channel.queue_declare(queue="rpc_queue", durable=True, arguments={"x-queue-type": "quorum"})

        if direct_reply_to:
            # A pseudo-queue: the broker sends replies straight to this consumer (no-ack mode only).
            self.callback_queue = DIRECT_REPLY_TO
        else:
            # Our own private reply queue, deleted when we disconnect.
            result = self.channel.queue_declare(queue="", exclusive=True)
            self.callback_queue = result.method.queue
        self.channel.basic_consume(queue=self.callback_queue, on_message_callback=self.on_response,
                                   auto_ack=True)

        self.corr_id = None
        self.response = None
        self.waited = 0.0  # seconds spent waiting for replies
        self.cpu = 0.0  # CPU seconds this process used meanwhile

    def on_response(self, ch, method, props, body):
        if props.correlation_id != self.corr_id:
            # A late reply to an earlier call, or one that belongs to nobody: not ours, skip it.
            print(f" [?] Ignoring a reply with correlation_id {props.correlation_id!r}: not ours")
            return
        self.response = (props, body)

    def call(self, n):
        self.response = None
        self.corr_id = str(uuid.uuid4())
        self.channel.basic_publish(
            exchange="",
            routing_key="rpc_queue",
            properties=pika.BasicProperties(
                reply_to=self.callback_queue,
                correlation_id=self.corr_id,
                # Nobody will want the answer after we gave up: let the broker drop the request.
                expiration=str(int(self.timeout * 1000)),
            ),
            body=str(n),
        )

        # Wait for our reply, but not forever. process_data_events(time_limit=...) sleeps in
        # the socket until data arrives or the time is up: no busy loop.
        started, cpu_started = time.monotonic(), time.process_time()
        deadline = started + self.timeout
        while self.response is None:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.connection.process_data_events(time_limit=left)
        self.waited += time.monotonic() - started
        self.cpu += time.process_time() - cpu_started

        if self.response is None:
            raise RpcTimeout(f"No reply within {self.timeout:g} s. Is an rpc_server running? "
                             "Start one: python rpc_server.py")
        props, body = self.response
        if props.headers and "error" in props.headers:
            raise RemoteError(props.headers["error"])
        return int(body)

    def close(self):
        self.connection.close()


def positive_seconds(text):
    seconds = float(text)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"the timeout must be more than 0 seconds, not {text}.")
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description="Ask an rpc_server for fib(n) and wait for the answer.")
    parser.add_argument("n", type=int, help="which Fibonacci number to compute (0 to 35)")
    parser.add_argument("--timeout", type=positive_seconds, default=5.0,
                        help="seconds to wait for each reply before giving up (default: 5)")
    parser.add_argument("--count", type=int, default=1,
                        help="make this many calls, one after another, and report round trips per second")
    parser.add_argument("--direct-reply-to", action="store_true",
                        help=f"receive replies on {DIRECT_REPLY_TO} instead of a reply queue of our own")
    args = parser.parse_args(argv)

    client = FibonacciRpcClient(args.timeout, args.direct_reply_to)
    print(f" [*] Replies come to {client.callback_queue}")
    print(f" [x] Requesting fib({args.n})" + (f" {args.count} times" if args.count > 1 else ""))
    started = time.monotonic()
    try:
        for _ in range(args.count):
            result = client.call(args.n)
    except RpcTimeout as exc:
        print(f" [!] {exc}")
        return 1
    except RemoteError as exc:
        print(f" [!] The server failed: {exc}")
        return 1
    finally:
        print(f" [.] Waited {client.waited:.2f} s for replies, using {client.cpu:.3f} s of CPU")
    elapsed = time.monotonic() - started
    print(f" [.] Got {result}")
    if args.count > 1:
        print(f" [.] {args.count} calls in {elapsed:.2f} s: {args.count / elapsed:.0f} round trips per second")
    client.close()


if __name__ == "__main__":
    sys.exit(main())
