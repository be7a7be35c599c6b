"""Lesson 13: tasks whose results live in Redis.

    celery -A celery_basics.lesson13_results.tasks worker --loglevel INFO
"""

import time

from celery import Celery

from lessons.settings import AMQP_URL, REDIS_URL

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
