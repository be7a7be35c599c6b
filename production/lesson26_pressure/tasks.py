"""Lesson 26, Celery when the broker drops its connections.

    celery -A tasks worker --loglevel INFO

The settings below are the ones that matter when the broker is under pressure or goes away.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson26", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    task_default_queue="lesson26_pressure",
    broker_connection_retry_on_startup=True,
    broker_connection_retry=True,        # reconnect after a lost connection (the default)
    broker_connection_max_retries=None,  # ... for ever
    # Heartbeats on the worker's AMQP connection, in seconds (default 120). Checked
    # broker_heartbeat_checkrate (2) times per interval, so a dead broker is noticed in time.
    broker_heartbeat=10,
    # Connections a client (a web app calling .delay()) keeps open for publishing. The default
    # is 10; None or 0 opens and closes a connection for every message.
    broker_pool_limit=10,
    # Not set here: broker_transport_options={"confirm_publish": True} makes .delay() wait for
    # the broker's confirm. During an alarm .delay() then waits until the alarm is over,
    # instead of returning at once with the task still in the socket (see the README).
    task_acks_late=True,                 # ack when the task is done: a lost task comes back
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # A connection loss means the broker already gave the unacknowledged task to someone else
    # (or will, once we reconnect): stop our copy instead of finishing it twice. Celery 6 makes
    # True the default; Celery 5 warns until you choose.
    worker_cancel_long_running_tasks_on_connection_loss=True,
)


@app.task(bind=True)
def slow_report(self, seconds):
    again = " (redelivered)" if self.request.delivery_info.get("redelivered") else ""
    print(f"[x] Building the report, {seconds:g} s{again}")
    time.sleep(seconds)
    print("[x] Report done")
    return f"report built in {seconds:g} s"
