"""Lesson 13: tasks whose results live in Redis.

    celery -A tasks worker --loglevel INFO
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson13", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=3,
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                               "interval_step": 0.5, "interval_max": 1},
    task_default_queue="lesson13_results",
    task_track_started=True,  # record STARTED when a worker begins a task (off by default)
    result_expires=600,       # Redis forgets a result 10 minutes after it was stored (default: 1 day)
)


@app.task
def add(x, y):
    return x + y


@app.task
def slow_add(x, y, seconds=1.0):
    time.sleep(seconds)
    return x + y


@app.task
def divide(x, y):
    return x / y  # divide(1, 0) raises ZeroDivisionError: the task FAILS


@app.task(ignore_result=True)
def log_visit(page):
    print(f"visit {page}")  # the worker logs it; nobody will ever ask for a result
