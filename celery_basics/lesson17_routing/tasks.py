"""Lesson 17, the app: heavy 'media' tasks and light ones, routed to queues of their own.

    celery -A tasks worker -n media@%h -Q lesson17_media -c 1 --prefetch-multiplier 1
    celery -A tasks worker -n default@%h -Q lesson17_default

The queues are the lesson's own ('lesson17_media' rather than 'media') so that no other lesson's
worker takes these tasks; the demo deletes them when it ends.
"""

import os
import time

from celery import Celery
from kombu import Exchange, Queue

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# One direct exchange; each queue is bound to it with its own name as the routing key.
EXCHANGE = Exchange("lesson17", type="direct")

app = Celery("lesson17", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_queues=[
        Queue("lesson17_default", EXCHANGE, routing_key="lesson17_default"),
        # x-max-priority makes RabbitMQ deliver higher-priority messages first (0..10 here).
        Queue("lesson17_media", EXCHANGE, routing_key="lesson17_media",
              queue_arguments={"x-max-priority": 10}),
        Queue("lesson17_batch", EXCHANGE, routing_key="lesson17_batch"),
        Queue("lesson17_archive", EXCHANGE, routing_key="lesson17_archive"),
    ],
    # Where a task goes when no route names a queue.
    task_default_queue="lesson17_default",
    task_default_exchange="lesson17",
    task_default_routing_key="lesson17_default",
    # Which task goes to which queue. Keys are task names; glob patterns are allowed.
    task_routes={
        "*.resize_image": {"queue": "lesson17_media"},
        "*.crunch*": {"queue": "lesson17_batch"},
        "*.archive": {"queue": "lesson17_archive"},  # no worker of this lesson consumes it
    },
)

RESIZE_SECONDS = 0.3  # a real resize takes seconds; scaled down for the demo


def report(task, name):
    """What every task returns: which worker ran it, and when it started."""
    return {"task": name, "worker": task.request.hostname, "started": time.time()}


@app.task(bind=True)
def resize_image(self, name):
    result = report(self, name)
    time.sleep(RESIZE_SECONDS)
    return result


@app.task(bind=True)
def send_email(self, to):
    return report(self, to)


@app.task(bind=True)
def archive(self, name):
    return report(self, name)


@app.task(bind=True)
def crunch(self, name, seconds):
    """A task of the batch: long or short. Acknowledged early (the default): when it starts."""
    result = report(self, name)
    time.sleep(seconds)
    return result


@app.task(bind=True, acks_late=True)
def crunch_late(self, name, seconds):
    """The same work, acknowledged late: only when it is done."""
    result = report(self, name)
    time.sleep(seconds)
    return result


# Every queue of this lesson, for the demo's cleanup.
PACKAGE_QUEUES = tuple(queue.name for queue in app.conf.task_queues)
