"""Lesson 26, a consumer whose work takes longer than the heartbeat interval.

    python slow_consumer.py --mode block    # disconnected
    python slow_consumer.py --mode thread   # the fix
    python slow_consumer.py --mode chunks   # another fix

pika's BlockingConnection sends and answers heartbeats only while its I/O loop runs. A callback
that blocks for longer than two to three heartbeat intervals makes the broker think the client
is dead: it closes the connection and the unacknowledged message goes back to the queue.
"""

import argparse
import functools
import os
import threading
import time

import pika
import pika.exceptions

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Do one slow job from a queue.")
    parser.add_argument("--mode", choices=["block", "thread", "chunks"], default="thread")
    parser.add_argument("--queue", default="pressure.slow")
    parser.add_argument("--heartbeat", type=int, default=2, help="seconds (the broker's default is 60)")
    parser.add_argument("--work", type=float, default=10.0, help="seconds the job takes")
    args = parser.parse_args(argv)

    parameters = pika.URLParameters(AMQP_URL)
    parameters.heartbeat = args.heartbeat
    connection = pika.BlockingConnection(parameters)
    channel = connection.channel()
    channel.queue_declare(args.queue, durable=True)
    channel.basic_qos(prefetch_count=1)

    def finish(channel, delivery_tag):
        channel.basic_ack(delivery_tag)
        print(" [x] Done and acknowledged")
        channel.stop_consuming()

    def on_message(channel, method, properties, body):
        print(f" [x] Received {body.decode()!r}; working {args.work:g} s ({args.mode})")
        if args.mode == "block":
            time.sleep(args.work)  # the I/O loop is stuck here: no heartbeats
            finish(channel, method.delivery_tag)
        elif args.mode == "chunks":
            deadline = time.monotonic() + args.work
            while time.monotonic() < deadline:
                time.sleep(0.5)  # a slice of the work ...
                connection.process_data_events(time_limit=0)  # ... then heartbeats
            finish(channel, method.delivery_tag)
        else:
            def work():
                time.sleep(args.work)  # the work runs here; the I/O loop keeps running
                # pika is not thread-safe: ask the connection's own thread to ack.
                connection.add_callback_threadsafe(functools.partial(finish, channel, method.delivery_tag))

            threading.Thread(target=work, daemon=True).start()

    channel.basic_consume(args.queue, on_message)
    print(f" [*] Waiting for messages on '{args.queue}' (heartbeat {args.heartbeat} s)")
    try:
        channel.start_consuming()
        connection.close()
    except pika.exceptions.AMQPConnectionError as exc:
        print(f" [!] Lost the connection: {exc!r}. The broker saw no heartbeat; "
              "the message went back to the queue.")


if __name__ == "__main__":
    main()
