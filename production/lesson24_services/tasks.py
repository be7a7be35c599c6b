"""Lesson 24, the app that runs as a service: a worker and beat, kept running by a supervisor.

    celery -A tasks worker --loglevel INFO                                (in this folder)
    celery -A tasks beat --loglevel INFO --schedule /tmp/celerybeat-schedule

The supervisord.conf and the systemd units next to this file run exactly these two commands,
in this folder (their working directory).
"""

import os
import time

import psutil
from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson24", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,  # a service starts before the broker? keep trying
    task_default_queue="lesson24_services",   # this lesson's own queue
    task_acks_late=True,               # ack when a task has run: a task in flight survives a crash
    task_reject_on_worker_lost=True,   # a pool process that dies mid-task: the message goes back
    worker_prefetch_multiplier=1,      # reserve one message per process, no more
    result_expires=3600,
    beat_schedule={
        "heartbeat-every-2-seconds": {
            "task": "tasks.heartbeat",
            "schedule": 2.0,
        },
    },
)

LEAKED = []  # what `leak` keeps: it grows in each pool process until the process is replaced


@app.task(bind=True)
def slow(self, job, seconds):
    """Work that takes a while; it says when it starts and ends, and where it ran."""
    redelivered = bool(self.request.delivery_info.get("redelivered"))
    print(f"slow {job}: started in pid {os.getpid()} (redelivered: {redelivered})")
    time.sleep(seconds)
    print(f"slow {job}: finished")
    return {"job": job, "pid": os.getpid(), "worker_pid": os.getppid(), "redelivered": redelivered}


@app.task(bind=True, acks_late=False)
def slow_early_ack(self, job, seconds):
    """The same work, acked when it arrives (Celery's default): a crash loses it."""
    print(f"slow_early_ack {job}: started in pid {os.getpid()}")
    time.sleep(seconds)
    print(f"slow_early_ack {job}: finished")
    return {"job": job, "pid": os.getpid(), "worker_pid": os.getppid()}


@app.task
def leak(megabytes):
    """A task with a memory leak: it keeps `megabytes` MiB each time it runs."""
    LEAKED.append(bytearray(megabytes * 1024 * 1024))
    rss_mb = psutil.Process().memory_info().rss / 1024 / 1024
    return {"pid": os.getpid(), "rss_mb": round(rss_mb, 1), "held_mb": len(LEAKED) * megabytes}


@app.task
def heartbeat():
    """What beat sends every 2 seconds: proof that the scheduler is alive."""
    return time.time()
