"""Lesson 15: a long job that reports its progress.

    celery -A tasks worker --loglevel INFO
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson15", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=3,
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                               "interval_step": 0.5, "interval_max": 1},
    task_default_queue="lesson15_progress",
    worker_prefetch_multiplier=1,  # long jobs: one at a time per pool process
)


@app.task(bind=True)
def long_job(self, name, steps=10, seconds_per_step=0.2):
    for step in range(1, steps + 1):
        time.sleep(seconds_per_step)  # a step of real work
        # A custom state, stored in the result backend like any other: a client reads it.
        self.update_state(state="PROGRESS", meta={"current": step, "total": steps})
    return {"current": steps, "total": steps, "result": f"{name} done"}
