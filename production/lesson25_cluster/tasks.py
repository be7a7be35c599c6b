"""Lesson 25: a Celery app whose broker is a three-node RabbitMQ cluster.

    celery -A tasks worker --loglevel INFO        (in this folder)

broker_url lists every node, separated by ';' (the default: the compose profile's three nodes).
The worker connects to the first one; when it loses that connection, it takes the next URL
(broker_failover_strategy) and carries on, but it starts again from the first URL at every
reconnect and, with a quorum queue, sets up delayed delivery on every URL, waiting for a node
that is down: see the README. In production, give it one address in front of the cluster (a
load balancer), as the demo does: CLUSTER_URLS="amqp://course:course@127.0.0.1:5685/%2F".

The task queue is a quorum queue, replicated on the nodes, so the tasks in it survive the loss
of a node; its exchange is a topic exchange, so tasks sent with a countdown wait in the broker.
"""

import os
import time

from celery import Celery

CLUSTER_URLS = os.environ.get(
    "CLUSTER_URLS",
    "amqp://course:course@127.0.0.1:5681/%2F;"
    "amqp://course:course@127.0.0.1:5682/%2F;"
    "amqp://course:course@127.0.0.1:5683/%2F",
)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson25", broker=CLUSTER_URLS, backend=REDIS_URL)
app.conf.update(
    broker_failover_strategy="round-robin",  # lost the node? take the next URL of broker_url
    broker_connection_retry_on_startup=True,
    broker_transport_options={"confirm_publish": True},  # a task is sent once the broker confirms it
    task_default_queue="lesson25_tasks",
    task_default_queue_type="quorum",  # Celery 5.5+: declare the task queue as a quorum queue
    # ... and route to it through a topic exchange: with a quorum queue, countdown/eta tasks wait in
    # the broker (native delayed delivery, Celery 5.5+), which cannot deliver through a direct exchange.
    task_default_exchange_type="topic",
    task_acks_late=True,  # a task in progress when the node goes is delivered again, not lost
    worker_prefetch_multiplier=1,
)


@app.task
def resize(image):
    time.sleep(0.2)  # the work
    return f"{image} resized"
