"""Lesson 12: the Celery app and its one task.

    celery -A tasks worker --loglevel INFO

The app knows where to send tasks (the broker, RabbitMQ) and where to keep results (the result
backend, Redis). Lesson 12 alone uses Celery's default queue, named "celery".
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson12", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    # A worker started before the broker keeps trying to connect (and says so) ...
    broker_connection_retry_on_startup=True,
    # ... but a client that calls a task gives up within seconds, with OperationalError.
    broker_connection_timeout=3,
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                               "interval_step": 0.5, "interval_max": 1},
)


@app.task
def add(x, y):
    return x + y
