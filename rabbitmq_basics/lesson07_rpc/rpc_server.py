"""Lesson 7, the server: answer fib(n) requests from the queue 'rpc_queue'.

    python rpc_server.py          # until Ctrl+C; start two to share the load
"""

import argparse
import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")


def fib(n):
    # Slow on purpose (as in the official tutorial), so keep n small.
    if n < 0:
        raise ValueError(f"fib(n) needs n >= 0, got {n}")
    if n > 35:
        raise ValueError(f"fib({n}) would keep this server busy for minutes; ask for n <= 35")
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Answer fib(n) requests arriving on 'rpc_queue'.")
    parser.parse_args(argv)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()

    # Durable and of type quorum, as RabbitMQ's tutorials declare it today (RabbitMQ 4.x deprecates
    # queues that are neither durable nor exclusive).
    channel.queue_declare(queue="rpc_queue", durable=True, arguments={"x-queue-type": "quorum"})

    def on_request(ch, method, props, body):
        headers = None
        try:
            n = int(body)
            print(f" [.] fib({n}) for {props.reply_to}")
            response = str(fib(n))
        except Exception as exc:
            # Tell the caller instead of leaving it waiting for a reply that never comes.
            response = f"{type(exc).__name__}: {exc}"
            headers = {"error": response}
            print(f" [!] Request {body.decode(errors='replace')!r} failed: {response}")

        # Reply to the queue the client named, with the client's correlation id.
        ch.basic_publish(exchange="", routing_key=props.reply_to, body=response,
                         properties=pika.BasicProperties(correlation_id=props.correlation_id,
                                                         headers=headers))
        ch.basic_ack(delivery_tag=method.delivery_tag)

    # At most one unacknowledged request per server: a busy server gets no second one
    # while another server is free.
    channel.basic_qos(prefetch_count=1)
    channel.basic_consume(queue="rpc_queue", on_message_callback=on_request)

    print(" [x] Awaiting RPC requests. To exit press CTRL+C")
    channel.start_consuming()


if __name__ == "__main__":
    main()
