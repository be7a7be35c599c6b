"""Exercise 12: the first Celery tasks.

    celery -A tasks worker --loglevel INFO       (in this folder)

The app is ready. TODO: make the two functions below Celery tasks that a worker runs, registered
under the names "exercise12.shout" and "exercise12.count_words" (whoever sends them, in any
language, uses these names).
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise12", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise12",  # the exercise's own queue
)


# TODO: a task named "exercise12.shout"
def shout(text):
    return text.upper() + "!"


# TODO: a task named "exercise12.count_words"
def count_words(text):
    return len(text.split())
