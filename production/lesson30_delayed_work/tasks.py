"""Lesson 30: delayed tasks on a classic queue. The broker hands a countdown/eta task to the
worker at once, and the worker holds it, unacknowledged, until it is due.

    celery -A tasks worker --loglevel INFO --concurrency 1        (in this folder)
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# How many countdown/eta tasks one worker may hold at once (Celery 5.6+). None: no limit.
ETA_TASK_LIMIT = os.environ.get("ETA_TASK_LIMIT")

app = Celery("lesson30", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    task_default_queue="lesson30_classic",  # a classic queue (Celery's default queue type)
    broker_connection_retry_on_startup=True,
    worker_prefetch_multiplier=4,  # Celery's default: 4 tasks per pool process, plus the held ones
    worker_eta_task_limit=int(ETA_TASK_LIMIT) if ETA_TASK_LIMIT else None,
)


@app.task(bind=True)
def remind(self, what):
    again = " (redelivered)" if self.request.delivery_info.get("redelivered") else ""
    print(f"[x] Reminder: {what}, at {time.time():.2f}{again}", flush=True)
    return what
