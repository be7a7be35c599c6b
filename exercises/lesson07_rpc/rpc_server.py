"""Exercise 7, the server (given: do not change it): answer fib(n) requests on 'exercise07.rpc'.

    python rpc_server.py

A somewhat untidy server, as real ones are: before each answer it also sends a late answer to
an earlier request (correlation_id 'an-earlier-request', body -1). A client that does not look
at correlation_id takes that one for its own.
"""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "exercise07.rpc"


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def main():
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True)

    def on_request(ch, method, props, body):
        n = int(body)
        print(f" [.] fib({n}) reply_to={props.reply_to} correlation_id={props.correlation_id}")
        if not props.reply_to:
            print(" [!] A request without reply_to: there is nowhere to send the answer.")
        else:
            ch.basic_publish(exchange="", routing_key=props.reply_to, body="-1",
                             properties=pika.BasicProperties(correlation_id="an-earlier-request"))
            ch.basic_publish(exchange="", routing_key=props.reply_to, body=str(fib(n)),
                             properties=pika.BasicProperties(correlation_id=props.correlation_id))
        ch.basic_ack(delivery_tag=method.delivery_tag)

    channel.basic_qos(prefetch_count=1)
    channel.basic_consume(queue=QUEUE, on_message_callback=on_request)
    print(" [*] Awaiting RPC requests")
    channel.start_consuming()


if __name__ == "__main__":
    main()
