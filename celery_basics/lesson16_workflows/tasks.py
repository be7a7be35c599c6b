"""Lesson 16, the app and its tasks: small building blocks that the canvas wires into workflows.

    celery -A tasks worker --loglevel INFO

The report story: each "database" below is a small list of order amounts kept in this file. A
query is one task; a chord runs the queries side by side and merges them in one callback.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson16", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="lesson16_workflows",  # this lesson's own queue
    result_expires=3600,  # chords need results: keep them an hour in Redis
)

# Three "databases" of order amounts, one per region. 'legacy' is not here: querying it fails.
DATABASES = {
    "eu": [120, 80, 45, 300],
    "us": [250, 99, 10],
    "asia": [75, 75, 150, 20, 30],
}
QUERY_SECONDS = 0.2  # a real query takes longer; scaled down for the demo


@app.task
def add(x, y):
    return x + y


@app.task
def mul(x, y):
    return x * y


@app.task
def xsum(numbers):
    return sum(numbers)


@app.task
def notify(message):
    return f"notified: {message}"


# throws=: an expected failure. The worker logs it in one line, without a traceback.
@app.task(throws=(LookupError,))
def query_sales(database):
    """One query of the report: the orders and revenue of one database."""
    time.sleep(QUERY_SECONDS)
    if database not in DATABASES:
        raise LookupError(f"database {database!r} is not answering")
    rows = DATABASES[database]
    return {"database": database, "orders": len(rows), "revenue": sum(rows)}


@app.task
def query_sales_or_gap(database):
    """The same query, but a failure becomes a gap in the report instead of failing the chord."""
    try:
        return query_sales(database)  # calling a task like a function runs it here, in this worker
    except LookupError as exc:
        return {"database": database, "error": str(exc)}


@app.task
def merge_report(parts):
    """The chord's callback: it gets the list of every query's result, in the header's order."""
    answered = [part for part in parts if "error" not in part]
    return {
        "databases": [part["database"] for part in answered],
        "orders": sum(part["orders"] for part in answered),
        "revenue": sum(part["revenue"] for part in answered),
        "gaps": [part["database"] for part in parts if "error" in part],
    }


@app.task
def report_failed(request, exc, traceback):
    """An error callback (link_error): Celery calls it with the failed task's request and error."""
    print(f" [!] report {request.id} failed: {exc!r}")
