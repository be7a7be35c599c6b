"""Exercise 6: bind two queues to the headers exchange 'exercise06.documents' by header values.

    python bind_headers.py    # declares the exchange and the queues, binds them, and exits

Documents carry headers such as format (pdf, zip, ...), region (eu, us, ...), priority and sla.
The routing key is not used. TODO: fill in the binding arguments of each queue below (the header
values to match, and x-match) so that each queue gets exactly the documents its comment says.
"""

import os

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
EXCHANGE = "exercise06.documents"

BINDINGS = {
    # PDF documents for the EU region: format=pdf AND region=eu (other headers do not matter).
    "exercise06.eu_pdf": {},  # TODO
    # Urgent documents: priority=high OR sla=gold (or both).
    "exercise06.urgent": {},  # TODO
}


def main():
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange=EXCHANGE, exchange_type="headers")
    for queue, arguments in BINDINGS.items():
        channel.queue_declare(queue=queue, durable=True)
        channel.queue_bind(exchange=EXCHANGE, queue=queue, arguments=arguments)
        print(f" [x] Bound {queue} <- {arguments}")
    connection.close()


if __name__ == "__main__":
    main()
