"""Exercise 17: send slow media work to its own queue and workers.

    celery -A tasks worker -Q exercise17.media -n media@%h --loglevel INFO       (in this folder)
    celery -A tasks worker -Q exercise17.default -n default@%h --loglevel INFO

Two kinds of worker run: media workers read only 'exercise17.media', the others only
'exercise17.default'. Today every task goes to 'exercise17.default', so the media workers idle
while the others resize images. TODO: route exercise17.resize_image to 'exercise17.media' (and
leave every other task on 'exercise17.default'), in the app's configuration: the senders
(client.py) do not change.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise17", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise17.default",
    # TODO: route resize_image to the media queue
)


@app.task(name="exercise17.resize_image")
def resize_image(name):
    time.sleep(0.2)  # heavy work, scaled down
    return f"{name} resized"


@app.task(name="exercise17.send_email")
def send_email(to):
    return f"mail sent to {to}"
