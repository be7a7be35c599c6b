"""Exercise 14: a task that survives a flaky service.

    celery -A tasks worker --loglevel INFO       (in this folder)

exercise14.fetch calls a service that often does not answer (flaky_service.py). The reference
solution: autoretry_for with retry_backoff, waits of 1 s, 2 s, 4 s (no jitter), at most 3 retries.
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


# autoretry_for: on ServiceUnavailable, Celery sends the task again with a countdown.
# retry_backoff=True: the countdowns are 1 s, 2 s, 4 s ...; retry_jitter=False keeps them exact
# (with jitter, each is a random time up to that value). After max_retries the error stands.
@app.task(name="exercise14.fetch", autoretry_for=(ServiceUnavailable,), retry_backoff=True,
          retry_jitter=False, max_retries=3)
def fetch(job):
    return call_service(job)
