"""Lesson 14: tasks that survive flaky services, slow work and crashed workers.

    celery -A tasks worker --loglevel INFO
"""

import os
import time

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson14", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=3,
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                               "interval_step": 0.5, "interval_max": 1},
    task_default_queue="lesson14_reliable_tasks",
    task_acks_late=True,               # ack when the task has run, not when it arrived
    task_reject_on_worker_lost=True,   # a pool process killed mid-task: the message goes back
    worker_prefetch_multiplier=1,      # take one message per process at a time
)


class FlakyServiceError(ConnectionError):
    """Stands in for a timeout or a refused connection from some other service."""


def call_flaky_service(attempt):
    if attempt < 2:  # fails on the first two attempts, works on the third
        raise FlakyServiceError(f"the service did not answer (attempt {attempt + 1})")
    return "data"


@app.task(bind=True, max_retries=3)
def fetch(self, what):
    try:
        data = call_flaky_service(self.request.retries)
    except FlakyServiceError as exc:
        # Send the task again in 0.5 s; after max_retries, the exception is raised for good.
        raise self.retry(exc=exc, countdown=0.5) from exc
    return f"{what}: {data} after {self.request.retries + 1} attempts"


@app.task(bind=True, autoretry_for=(FlakyServiceError,), retry_backoff=True,
          retry_jitter=False, max_retries=3)
def fetch_with_backoff(self, what):
    # The same, declared: retry on FlakyServiceError after 1 s, 2 s, 4 s ... (retry_backoff).
    data = call_flaky_service(self.request.retries)
    return f"{what}: {data} after {self.request.retries + 1} attempts"


@app.task(soft_time_limit=0.5, time_limit=1.5)
def crunch(steps):
    done = 0
    try:
        for _ in range(steps):
            time.sleep(0.1)  # a step of real work
            done += 1
    except SoftTimeLimitExceeded:
        # The soft limit raises inside the task: time to clean up and return what we have.
        print(f"crunch: soft time limit, cleaning up after {done} of {steps} steps")
        return {"done": done, "complete": False}
    return {"done": done, "complete": True}


@app.task(soft_time_limit=0.5, time_limit=1.5)
def stubborn():
    while True:  # ignores the soft limit (it catches everything)...
        try:
            time.sleep(0.1)
        except SoftTimeLimitExceeded:
            print("stubborn: soft time limit ignored")
    # ... so at the hard limit the worker kills the process running it.


@app.task(rate_limit="10/s")
def ping(i):
    return i  # at most 10 per second, per worker


@app.task(bind=True)
def long_job(self, job, seconds):
    redelivered = self.request.delivery_info.get("redelivered")
    print(f"long_job {job}: running in pid {os.getpid()} (redelivered: {redelivered})")
    time.sleep(seconds)
    return f"{job} done"
