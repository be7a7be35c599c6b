"""Lesson 27, a Celery app whose broker is reached over TLS and whose results sit in a Redis
that wants a password.

    celery -A production.lesson27_security.tasks worker --loglevel INFO

AMQPS_URL (amqps://reports-app:PASSWORD@localhost:5671/reports) and REDIS_URL
(redis://:PASSWORD@127.0.0.1:6379/0, or rediss:// for Redis over TLS) come from the environment.
"""

from celery import Celery

from production.lesson27_security import tls

BROKER_URL = tls.secret_url("AMQPS_URL")
app = Celery("lesson27", broker=BROKER_URL, backend=tls.secret_url("REDIS_URL"))
app.conf.update(
    broker_use_ssl=tls.kombu_ssl(BROKER_URL),  # CA, client certificate and key, the server's name
    broker_connection_retry_on_startup=True,
    task_default_queue="lesson27_security",
)


@app.task
def monthly_report(month):
    return f"report for {month}: 42 orders"
