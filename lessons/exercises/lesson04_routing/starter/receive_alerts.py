"""Exercise 4, an alert receiver: print the 'error' and 'critical' lines of the direct exchange
'exercise04.logs', and nothing else.

    python receive_alerts.py

The producer publishes every line with its severity as the routing key: info, warning, error or
critical. TODO: this receiver gets the errors but misses every critical line. Fix the binding(s).
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

    # TODO: critical lines never arrive.
    channel.queue_bind(exchange=EXCHANGE, queue=queue_name, routing_key="error")

    def callback(ch, method, properties, body):
        print(f" [x] {method.routing_key}: {body.decode()}")

    channel.basic_consume(queue=queue_name, on_message_callback=callback, auto_ack=True)

    print(" [*] Waiting for alerts. To exit press CTRL+C")
    channel.start_consuming()


if __name__ == "__main__":
    main()
