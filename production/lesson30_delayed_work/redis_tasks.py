"""Lesson 30: delayed tasks with Redis as the broker. The worker holds a countdown/eta task as
"unacked" in Redis; after visibility_timeout seconds Redis hands it out again.

    celery -A redis_tasks worker --loglevel INFO --concurrency 1        (in this folder)
"""

import os
import time

from celery import Celery

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# Seconds a task may stay unacknowledged before Redis gives it to a worker again. It must be longer
# than the longest countdown/eta you use plus the longest task: Celery's default is 3600 (one hour).
VISIBILITY_TIMEOUT = float(os.environ.get("VISIBILITY_TIMEOUT", "3600"))
QUEUE = os.environ.get("REDIS_QUEUE", "lesson30_redis")

app = Celery("lesson30r", broker=REDIS_URL, backend=REDIS_URL)
app.conf.update(
    task_default_queue=QUEUE,
    broker_connection_retry_on_startup=True,
    broker_transport_options={
        "visibility_timeout": VISIBILITY_TIMEOUT,
        # How often the worker looks for tasks whose visibility timeout is over (kombu 5.6+):
        # every second here, so that the demo's short timeout shows within seconds.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    },
    # Celery 5.5+: a cold shutdown (SIGQUIT, or SIGTERM with REMAP_SIGTERM=SIGQUIT) first waits
    # this long for running tasks; "on idle" makes it wait even when only held tasks are there.
    worker_soft_shutdown_timeout=1.0,
    worker_enable_soft_shutdown_on_idle=True,
)


@app.task(bind=True)
def remind(self, what):
    print(f"[x] Reminder: {what}, at {time.time():.2f}", flush=True)
    return what
