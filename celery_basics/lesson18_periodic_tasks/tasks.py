"""Lesson 18, the app: a task and the schedule that celery beat follows to send it.

    celery -A tasks worker --loglevel INFO
    celery -A tasks beat --loglevel INFO --schedule /tmp/lesson18-beat/celerybeat-schedule

Beat only *sends* the tasks when they are due; a worker runs them. Two processes.
"""

import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson18", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="lesson18_periodic_tasks",  # this lesson's own queue
    timezone="UTC",  # crontab entries are read in this time zone
    task_ignore_result=True,  # nobody waits for a periodic task's result
    beat_schedule={
        # Intervals: a number of seconds or a timedelta. Scaled down from minutes or hours.
        "tick-every-second": {
            "task": "tasks.run_report",
            "schedule": 1.0,
            "args": ("tick",),
        },
        "tock-every-2-seconds": {
            "task": "tasks.run_report",
            "schedule": timedelta(seconds=2),
            "args": ("tock",),
        },
        # A crontab fires at most once a minute (its smallest unit): here, at second 0 of each
        # minute. The real thing would be crontab(hour=7, minute=30, day_of_week="mon-fri").
        "cron-every-minute": {
            "task": "tasks.run_report",
            "schedule": crontab(minute="*"),
            "args": ("cron",),
        },
    },
)


@app.task
def run_report(label):
    """The periodic work; it returns its label, which the worker's log shows."""
    return label
