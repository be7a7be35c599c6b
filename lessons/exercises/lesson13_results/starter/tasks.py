"""Exercise 13: results and task states.

    celery -A tasks worker --loglevel INFO       (in this folder)

A client sends exercise13.slow_square and waits for its result; it also sends many
exercise13.log_line tasks whose results nobody reads. TODO:
1. The client cannot read any result: give the app Redis (REDIS_URL) as its result backend.
2. While slow_square runs, its state should say STARTED, not PENDING.
3. Results should be kept for 10 minutes (600 s), not the default day.
4. log_line's results are never read: do not store them at all.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise13", broker=AMQP_URL)  # TODO 1
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise13",
    # TODO 2 and 3
)


@app.task(name="exercise13.slow_square")
def slow_square(x):
    time.sleep(1.5)
    return x * x


@app.task(name="exercise13.log_line")  # TODO 4
def log_line(text):
    print(f"log: {text}")
