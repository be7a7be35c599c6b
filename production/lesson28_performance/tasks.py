"""Lesson 28: the Celery app the benchmark measures, and its tiny task.

    celery -A tasks worker --loglevel INFO                       # Celery's defaults
    celery -A tasks worker -P solo --prefetch-multiplier 256 \\
        --without-gossip --without-mingle --without-heartbeat    # a tuned worker

The worker's own knobs are its command-line options (--pool, --concurrency,
--prefetch-multiplier, --without-...). The settings below are read from the environment, each
with Celery's own default when its variable is unset, so that one file serves every setup the
benchmark compares (set a variable for the worker and the client alike):

    RESULTS               redis (the course's Redis; the default here), rpc, or none
    IGNORE_RESULT         1: no result is stored, nobody can get() it (default 0)
    TASK_SERIALIZER       json (default) or msgpack
    DELIVERY_MODE         persistent (default) or transient: task messages written to disk or not
    ACKS_LATE             1: the worker acknowledges a task after running it (default 0: before)
    DISABLE_RATE_LIMITS   1: the worker skips its rate-limit bookkeeping (default 0)
"""

import os

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# Not RESULT_BACKEND: the `celery` command reads that variable itself (like BROKER_URL).
RESULTS = os.environ.get("RESULTS", "redis")

app = Celery("lesson28", broker=AMQP_URL,
             backend={"redis": REDIS_URL, "rpc": "rpc://", "none": None}[RESULTS])
app.conf.update(
    task_default_queue="lesson28_tasks",
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=3,
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                               "interval_step": 0.5, "interval_max": 1},
    # The knobs the benchmark turns, one at a time and then together:
    task_ignore_result=os.environ.get("IGNORE_RESULT", "0") == "1",
    task_serializer=os.environ.get("TASK_SERIALIZER", "json"),
    accept_content=["json", "msgpack"],  # a worker accepts both, whatever the client sends
    task_default_delivery_mode=os.environ.get("DELIVERY_MODE", "persistent"),
    task_acks_late=os.environ.get("ACKS_LATE", "0") == "1",
    worker_disable_rate_limits=os.environ.get("DISABLE_RATE_LIMITS", "0") == "1",
)


@app.task
def noop(i):
    """As tiny as a task gets: what is measured is the machinery around it."""
    return i
