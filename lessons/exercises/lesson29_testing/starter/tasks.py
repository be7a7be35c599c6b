"""Exercise 29: the task under test. Do not change this file: the checker runs your test
against this version and against a fixed one of its own.

    celery -A tasks worker --loglevel INFO
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise29", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise29",
    result_expires=600,
)


@app.task(name="exercise29.hashtags")
def hashtags(text):
    """The distinct #hashtags of a text, without the '#': "#b #a #b" -> a and b."""
    return {word[1:] for word in text.split() if word.startswith("#")}
