"""Exercise 14: a task that survives a flaky service.

    celery -A tasks worker --loglevel INFO       (in this folder)

exercise14.fetch calls a service that often does not answer (flaky_service.py). TODO: when
call_service raises ServiceUnavailable, try again later instead of failing at once:
- wait before each new attempt, and wait longer each time: each wait at least twice the one
  before (exponential backoff), the first one at most 1 s;
- give up after 3 retries (4 attempts in all): then the task fails with ServiceUnavailable.
"""

import os

from celery import Celery

from flaky_service import ServiceUnavailable, call_service

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise14", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise14",
)


@app.task(name="exercise14.fetch")
def fetch(job):
    try:
        return call_service(job)
    except ServiceUnavailable:
        raise  # TODO: try again later instead: backoff, at most 3 retries
