"""Exercise 23 (given: do not change it): the Python worker your producer calls.

    celery -A tasks worker --loglevel INFO       (in this folder)

Like lesson 23's worker: JSON only, and a task with a short, explicit name that any language can
spell. It reads the queue 'exercise23' and stores results in Redis (celery-task-meta-<id>).
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise23", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise23",
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    result_expires=3600,
)


@app.task(name="exercise23.invoice_total")
def invoice_total(items, tax_rate=0.0):
    """The total of an invoice: the items' price times quantity, plus tax."""
    net = sum(item["price"] * item["qty"] for item in items)
    return round(net * (1 + tax_rate), 2)
