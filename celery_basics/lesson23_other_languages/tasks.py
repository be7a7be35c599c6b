"""Lesson 23, the Celery app whose tasks programs in other languages call.

    celery -A tasks worker --loglevel INFO
    celery -A tasks --result-backend rpc:// worker -Q lesson23_rpc

A task message is plain AMQP plus JSON, so the sender need not be Python: send_task.py builds it
with pika alone, and php/, ruby/, java/, go/ and node/ hold the same program in those languages.
The task has a short, explicit name that every language can spell: "lesson23.add".

The result backend is the worker's choice: the first worker stores results in Redis (the
senders read celery-task-meta-<id>); the second, for senders with no Redis client, sends each
result back over AMQP to the queue the message names in reply_to (Celery's rpc:// backend).
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson23", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="lesson23_other_languages",  # the lesson's own queue
    task_serializer="json",  # the defaults, spelled out: JSON is what other languages can write
    accept_content=["json"],
    result_serializer="json",
    result_expires=3600,
)


@app.task(name="lesson23.add")
def add(x, y):
    return x + y
