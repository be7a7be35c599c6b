"""Exercise 5: write the binding keys that route the events of the topic exchange 'exercise05.events'.

    python bindings.py        # declares the exchange and the queues, binds them, and exits

Routing keys have two or three words: <facility>.<severity> ("kern.critical", "auth.info") or
<facility>.<component>.<severity> ("app.web.error", "kern.disk.error").
TODO: fill in the binding keys of each queue below (a queue may have several), using * (exactly
one word) and # (zero or more words), so that each queue gets exactly the messages its comment says.
"""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
EXCHANGE = "exercise05.events"

BINDINGS = {
    # Every critical event, two or three words: "kern.critical", "app.db.critical".
    "exercise05.critical": [],  # TODO
    # Everything from the kernel ("kern.info", "kern.disk.error"), but not "kernel.info".
    "exercise05.kernel": [],  # TODO
    # Errors and critical events of the app's components: "app.web.error", "app.db.critical";
    # not "app.error" (no component) and not "app.web.info".
    "exercise05.app_alerts": [],  # TODO
}


def main():
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange=EXCHANGE, exchange_type="topic")
    for queue, keys in BINDINGS.items():
        channel.queue_declare(queue=queue, durable=True)
        for key in keys:
            channel.queue_bind(exchange=EXCHANGE, queue=queue, routing_key=key)
            print(f" [x] Bound {queue} <- {key!r}")
    connection.close()


if __name__ == "__main__":
    main()
