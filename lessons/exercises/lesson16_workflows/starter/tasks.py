"""Exercise 16 (given: do not change it): the report's building blocks.

    celery -A tasks worker --loglevel INFO --concurrency 3      (in this folder)

Each "database" is a small list of order amounts kept here. query_sales is one query;
merge_report takes the list of the queries' results and adds them up.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise16", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise16",
    result_expires=3600,  # a chord needs its parts' results: keep them an hour
)

DATABASES = {
    "eu": [120, 80, 45, 300],
    "us": [250, 99, 10],
    "asia": [75, 75, 150, 20, 30],
}


@app.task(name="exercise16.query_sales")
def query_sales(database):
    time.sleep(0.5)  # a real query takes a while
    rows = DATABASES[database]
    return {"database": database, "orders": len(rows), "revenue": sum(rows)}


@app.task(name="exercise16.merge_report")
def merge_report(parts):
    return {
        "databases": [part["database"] for part in parts],
        "orders": sum(part["orders"] for part in parts),
        "revenue": sum(part["revenue"] for part in parts),
    }
