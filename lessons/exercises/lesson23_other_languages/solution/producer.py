"""Exercise 23, from Python WITHOUT Celery: send a task to the Celery worker with pika alone.

    python producer.py        (the worker runs: celery -A tasks worker --loglevel INFO)

The worker (tasks.py) knows the task "exercise23.invoice_total(items, tax_rate=0.0)" and reads
the queue 'exercise23'. The reference solution: the smallest message a Celery worker accepts
(protocol v2). Lesson 23's send_task.py sends every header Celery itself sends.
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
    # Protocol v2: the task's name and id travel in the headers (Celery itself sends more:
    # root_id, parent_id, eta, retries ...; the worker needs only these two) ...
    headers = {"task": "exercise23.invoice_total", "id": task_id}
    # ... and the body is [args, kwargs, embed] as JSON; embed holds the workflow links.
    body = json.dumps([[ITEMS], {"tax_rate": TAX_RATE},
                       {"callbacks": None, "errbacks": None, "chain": None, "chord": None}])
    properties = pika.BasicProperties(headers=headers, content_type="application/json",
                                      content_encoding="utf-8", correlation_id=task_id,
                                      delivery_mode=pika.DeliveryMode.Persistent)

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    # The default exchange routes to the queue named by the routing key, as Celery does here.
    channel.basic_publish(exchange="", routing_key=QUEUE, body=body, properties=properties)
    print(f" [x] Sent exercise23.invoice_total[{task_id}]")
    connection.close()


if __name__ == "__main__":
    main()
