"""Exercise 23, from Python WITHOUT Celery: send a task to the Celery worker with pika alone.

    python producer.py        (the worker runs: celery -A tasks worker --loglevel INFO)

The worker (tasks.py) knows the task "exercise23.invoice_total(items, tax_rate=0.0)" and reads
the queue 'exercise23'. TODO: build the task message by hand, as Celery's message protocol v2
says (https://docs.celeryq.dev/en/stable/internals/protocol.html, and lesson 23's send_task.py):
- the headers name the task ("task") and carry its id ("id", the task_id below);
- the body is the JSON list [args, kwargs, embed]: here args = [ITEMS], kwargs = {"tax_rate":
  TAX_RATE}, and embed = {"callbacks": None, "errbacks": None, "chain": None, "chord": None};
- the properties say the body is JSON (content_type, content_encoding) and carry the id as
  correlation_id.
Keep the " [x] Sent exercise23.invoice_total[<id>]" line: the checker reads the id there and
looks for the result in Redis (celery-task-meta-<id>).
"""

import json
import os
import uuid

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
QUEUE = "exercise23"
ITEMS = [{"price": 10.0, "qty": 2}, {"price": 5.5, "qty": 4}]
TAX_RATE = 0.2


def main():
    task_id = str(uuid.uuid4())
    headers = {}  # TODO: the task's name and id
    body = json.dumps([])  # TODO: [args, kwargs, embed]
    properties = pika.BasicProperties(headers=headers)  # TODO: content type and encoding, correlation_id

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    # The default exchange routes to the queue named by the routing key, as Celery does here.
    channel.basic_publish(exchange="", routing_key=QUEUE, body=body, properties=properties)
    print(f" [x] Sent exercise23.invoice_total[{task_id}]")
    connection.close()


if __name__ == "__main__":
    main()
