"""Exercise 15: a long job that tells how far it got.

    celery -A tasks worker --loglevel INFO       (in this folder)

exercise15.resize_album works photo by photo. A client that polls its state sees PENDING (or
STARTED) for the whole time, then SUCCESS. TODO: after each photo, report the custom state
PROGRESS with the meta {"done": <photos done so far>, "total": <photos>}, so the client can
draw a progress bar from the result backend.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise15", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise15",
)
SECONDS_PER_PHOTO = 0.3


@app.task(name="exercise15.resize_album")
def resize_album(photos):
    for _ in range(photos):
        time.sleep(SECONDS_PER_PHOTO)  # resize one photo
        # TODO: report PROGRESS: how many photos are done, out of how many
    return {"resized": photos}
