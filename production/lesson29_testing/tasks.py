"""Lesson 29: the tasks under test. Two of them hide a bug that only a real worker shows.

    celery -A tasks worker --loglevel INFO
    pytest -v                      (the tests of this folder: see conftest.py)
"""

import os
import time
from collections import Counter

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from kombu import Queue

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson29", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="lesson29_default",
    # The queues our workers consume (a worker started without -Q takes all of these).
    task_queues=[Queue("lesson29_default"), Queue("lesson29_emails")],
    # BUG (on purpose): "lesson29_email" is not a queue any worker consumes. Celery creates
    # the queue when the task is sent, and the message waits there for ever.
    task_routes={"tasks.send_welcome": {"queue": "lesson29_email"}},
)


@app.task
def add(x, y):
    return x + y


@app.task
def total(numbers):
    return sum(numbers)


@app.task
def word_lengths(text):
    """How many words of each length: "the cat sat" -> {3: 3}."""
    # BUG (on purpose): the keys are ints. Results travel as JSON, whose keys are strings, so
    # the caller of .get() receives {"3": 3}.
    return dict(Counter(len(word) for word in text.split()))


@app.task
def send_welcome(email):
    return f"welcome mail sent to {email}"


class ServiceDown(ConnectionError):
    """Stands in for a timeout or a refused connection from some other service."""


@app.task(bind=True, max_retries=3)
def flaky(self, failures):
    """Fails `failures` times, then answers with the number of retries it took."""
    if self.request.retries < failures:
        raise self.retry(exc=ServiceDown(f"attempt {self.request.retries + 1} failed"), countdown=0.1)
    return self.request.retries


@app.task(soft_time_limit=0.5, time_limit=2)
def slow(seconds):
    try:
        time.sleep(seconds)
    except SoftTimeLimitExceeded:
        return "cleaned up after the soft time limit"
    return f"slept {seconds} s"


@app.task(time_limit=1)
def stuck(seconds):
    time.sleep(seconds)  # a hard limit only: at 1 s the worker kills the process running this
    return f"slept {seconds} s"
