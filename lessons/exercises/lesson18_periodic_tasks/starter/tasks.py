"""Exercise 18: periodic tasks with beat.

    celery -A tasks worker --loglevel INFO       (in this folder)
    celery -A tasks beat --loglevel INFO         (a second terminal: beat sends, the worker runs)

TODO: fill in the schedule so that beat sends
- exercise18.heartbeat every second, and
- exercise18.cleanup every 2 seconds, with the folder "tmp" as its argument.
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise18", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise18",
    result_expires=600,
)

app.conf.beat_schedule = {
    # TODO: one entry per periodic task: its name, the task, the schedule (seconds), its args
}


@app.task(name="exercise18.heartbeat")
def heartbeat():
    return "alive"


@app.task(name="exercise18.cleanup")
def cleanup(folder):
    return f"cleaned {folder}"
