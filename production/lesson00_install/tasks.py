"""Lesson 0: the smallest Celery app, to check the whole stack and to ask `celery report`.

    celery -A tasks report                       (in this folder)
    celery -A tasks worker --loglevel INFO
    celery -A tasks inspect ping
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson00", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="lesson00_install",
)


@app.task
def add(x, y):
    return x + y
