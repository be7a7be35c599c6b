"""Lesson 19, the Celery app: a mix of tasks for Flower to watch.

    celery -A tasks worker -E --loglevel INFO
    celery -A tasks flower --address=127.0.0.1 --port=5555

Fast, slow, failing, retried and progress-reporting tasks, so that Flower's task history shows
every state. Durations are short so the demo ends in seconds. The tasks have short explicit
names ("lesson19.add") so Flower's tables stay readable.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson19", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="lesson19_flower",  # this lesson's own queue
    # Flower only knows what the events tell it:
    worker_send_task_events=True,  # workers send task-received/started/succeeded/... (same as -E)
    task_send_sent_event=True,  # clients send task-sent, so queued tasks show too
    task_track_started=True,  # the result backend records STARTED as well
    result_expires=3600,
)


@app.task(name="lesson19.add")
def add(x, y):
    """A fast task."""
    return x + y


@app.task(name="lesson19.slow")
def slow(seconds=1.0):
    """A slow task: sleeps `seconds` (scaled down for the demo)."""
    time.sleep(seconds)
    return f"slept {seconds} s"


@app.task(name="lesson19.fail", throws=(ValueError,))
def fail(reason="bad input"):
    """A task that always fails: its state ends as FAILURE, with the exception.

    throws=(ValueError,) marks it an expected error: the worker logs one line, no traceback.
    """
    raise ValueError(reason)


@app.task(name="lesson19.flaky", bind=True, max_retries=3)
def flaky(self, failures=2):
    """Fails `failures` times, then succeeds; each failure asks Celery to retry it."""
    if self.request.retries < failures:
        raise self.retry(exc=ConnectionError("the service is busy"), countdown=0.2)
    return f"done after {self.request.retries} retries"


@app.task(name="lesson19.report", bind=True)
def report(self, steps=5, delay=0.3):
    """A long task that reports its progress as a custom PROGRESS state in the result backend."""
    for step in range(steps):
        self.update_state(state="PROGRESS", meta={"done": step, "total": steps})
        time.sleep(delay)
    return {"done": steps, "total": steps}
