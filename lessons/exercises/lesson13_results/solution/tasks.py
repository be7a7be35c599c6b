"""Exercise 13: results and task states.

    celery -A tasks worker --loglevel INFO       (in this folder)

A client sends exercise13.slow_square and waits for its result; it also sends many
exercise13.log_line tasks whose results nobody reads. The reference solution.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise13", broker=AMQP_URL, backend=REDIS_URL)  # results in Redis
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise13",
    task_track_started=True,  # STARTED while a task runs (else PENDING until it is done)
    result_expires=600,  # Redis keeps each result 10 minutes
)


@app.task(name="exercise13.slow_square")
def slow_square(x):
    time.sleep(1.5)
    return x * x


@app.task(name="exercise13.log_line", ignore_result=True)  # nobody reads it: store nothing
def log_line(text):
    print(f"log: {text}")
