"""Lesson 13: the same add task in an app whose results travel back as AMQP messages (rpc://).

    celery -A rpc_tasks worker --loglevel INFO
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

app = Celery("lesson13_rpc", broker=AMQP_URL, backend="rpc://")
app.conf.update(
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=3,
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                               "interval_step": 0.5, "interval_max": 1},
    task_default_queue="lesson13_rpc",
)


@app.task
def add(x, y):
    return x + y
