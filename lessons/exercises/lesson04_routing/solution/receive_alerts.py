"""Exercise 4, an alert receiver: print the 'error' and 'critical' lines of the direct exchange
'exercise04.logs', and nothing else.

    python receive_alerts.py

The producer publishes every line with its severity as the routing key: info, warning, error or
critical. The reference solution: one binding per severity wanted; a direct exchange has no
wildcards, and a key that no binding names is dropped for this queue.
"""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
EXCHANGE = "exercise04.logs"


def main():
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange=EXCHANGE, exchange_type="direct")

    result = channel.queue_declare(queue="", exclusive=True)
    queue_name = result.method.queue

    # One queue, two bindings: a message whose routing key equals either binding key arrives.
    for severity in ("error", "critical"):
        channel.queue_bind(exchange=EXCHANGE, queue=queue_name, routing_key=severity)

    def callback(ch, method, properties, body):
        print(f" [x] {method.routing_key}: {body.decode()}")

    channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)

    print(" [*] Waiting for alerts. To exit press CTRL+C")
    channel.start_consuming()


if __name__ == "__main__":
    main()
