"""Lesson 23, the Python worker that programs in other languages call.

    celery -A celery_basics.lesson23_other_languages.tasks worker --loglevel INFO

A task message is plain AMQP plus JSON, so the sender need not be Python: producer.py builds it
with pika alone, producer.js with Node.js's amqplib. The task has a short, explicit name that
every language can spell: "lesson23.add".
"""

from celery import Celery

from lessons.settings import AMQP_URL, REDIS_URL

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
