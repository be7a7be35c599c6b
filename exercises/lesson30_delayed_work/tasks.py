"""Exercise 30: reminders for later that do not block the worker.

    celery -A tasks worker --loglevel INFO --concurrency 1       (in this folder)

The task queue 'exercise30' is a quorum queue. A quorum queue has no global QoS, so a worker
cannot raise its prefetch to hold a countdown/eta task and still take the next one: with this
app, a worker with one slot that holds a reminder for in a minute takes nothing else meanwhile.

TODO: make reminders sent with a countdown wait in the broker (Celery 5.5+'s native delayed
delivery), not in the worker, so that a task sent for now runs at once. The queue stays a quorum
queue named 'exercise30', and the task keeps its name.
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise30", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise30",
    task_default_queue_type="quorum",
    worker_prefetch_multiplier=1,
    # TODO: one setting is missing here.
)


@app.task(name="exercise30.remind")
def remind(what):
    print(f"[x] Reminder: {what}", flush=True)
    return what
