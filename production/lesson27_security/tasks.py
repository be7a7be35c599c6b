"""Lesson 27, a Celery app whose broker is reached over TLS and whose results sit in a Redis
that wants a password (the settings are in celeryconfig.py).

    celery -A tasks worker --loglevel INFO
"""

from celery import Celery

app = Celery("lesson27")
app.config_from_object("celeryconfig")


@app.task
def monthly_report(month):
    return f"report for {month}: 42 orders"
