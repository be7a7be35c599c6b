"""Exercise 17: send slow media work to its own queue and workers.

    celery -A tasks worker -Q exercise17.media -n media@%h --loglevel INFO       (in this folder)
    celery -A tasks worker -Q exercise17.default -n default@%h --loglevel INFO

Two kinds of worker run: media workers read only 'exercise17.media', the others only
'exercise17.default'. Today every task goes to 'exercise17.default', so the media workers idle
while the others resize images. The reference solution: task_routes sends resize_image to the
media queue; every other task keeps the default queue.
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
    # Read by every sender: a task named here goes to that queue, the others to the default one.
    task_routes={"exercise17.resize_image": {"queue": "exercise17.media"}},
)


@app.task(name="exercise17.resize_image")
def resize_image(name):
    time.sleep(0.2)  # heavy work, scaled down
    return f"{name} resized"


@app.task(name="exercise17.send_email")
def send_email(to):
    return f"mail sent to {to}"
