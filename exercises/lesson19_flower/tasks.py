"""Exercise 19: tasks that Flower can see.

    celery -A tasks worker --loglevel INFO                 (in this folder, no -E)
    celery -A tasks flower --address=127.0.0.1 --port=5555 (FLOWER_BASIC_AUTH=course:course)
    python client.py

Flower knows only what it hears: events. With this configuration its Tasks page stays empty.
TODO, in the app's configuration (so that no worker needs the -E option):
1. the workers send task events (received, started, succeeded ...);
2. the clients send a "task-sent" event for each task, so Flower also knows when it was sent.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise19", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise19",
    # TODO 1 and 2: events for Flower
)


@app.task(name="exercise19.thumbnail")
def thumbnail(name):
    time.sleep(0.1)
    return f"{name}: 200x200"
