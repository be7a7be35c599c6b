"""Lesson 30: delayed tasks on a quorum queue. Celery 5.5+ keeps countdown/eta tasks in the
broker (native delayed delivery): the worker's slots stay free until a task is due.

    celery -A quorum_tasks worker --loglevel INFO --concurrency 1        (in this folder)
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# "topic" (the fix) or "direct" (Celery's default): see the README.
EXCHANGE_TYPE = os.environ.get("EXCHANGE_TYPE", "topic")
QUEUE = os.environ.get("QUORUM_QUEUE", "lesson30_quorum")

app = Celery("lesson30q", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    task_default_queue=QUEUE,
    task_default_queue_type="quorum",  # Celery 5.5+: the task queue is a quorum queue ...
    # ... reached through a topic exchange: native delayed delivery cannot route through a direct one.
    task_default_exchange_type=EXCHANGE_TYPE,
    broker_connection_retry_on_startup=True,
    worker_prefetch_multiplier=1,
)


class Unavailable(Exception):
    """The service a task calls did not answer."""


@app.task(bind=True)
def remind(self, what):
    print(f"[x] Reminder: {what}, at {time.time():.2f}", flush=True)
    return what


@app.task(bind=True, max_retries=2)
def fetch(self, url):
    """Fails twice, then works: each retry waits 1 s in the broker."""
    print(f"[x] fetch {url}: attempt {self.request.retries + 1} at {time.time():.2f}", flush=True)
    if self.request.retries < 2:
        raise self.retry(countdown=1)
    return f"{url} fetched"


# throws: an expected failure, logged in one line (no traceback) when the last retry fails too.
@app.task(bind=True, autoretry_for=(Unavailable,), retry_backoff=True, retry_jitter=False, max_retries=3,
          throws=(Unavailable,))
def charge(self, order):
    """Always fails: retried after 1, 2 and 4 s (retry_backoff), then gives up."""
    print(f"[x] charge {order}: attempt {self.request.retries + 1} at {time.time():.2f}", flush=True)
    raise Unavailable("the payment service does not answer")
