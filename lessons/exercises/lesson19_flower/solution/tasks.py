"""Exercise 19: tasks that Flower can see.

    celery -A tasks worker --loglevel INFO                 (in this folder, no -E)
    celery -A tasks flower --address=127.0.0.1 --port=5555 (FLOWER_BASIC_AUTH=course:course)
    python client.py

Flower knows only what it hears: events. With this configuration its Tasks page stays empty.
The reference solution: two settings, one read by the workers, one by the senders.
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
    worker_send_task_events=True,  # what -E does: task-received, -started, -succeeded ...
    task_send_sent_event=True,  # the sender's task-sent event: Flower knows queued tasks too
)


@app.task(name="exercise19.thumbnail")
def thumbnail(name):
    time.sleep(0.1)
    return f"{name}: 200x200"
