"""Exercise 21 (given: do not change it): the slow report, a Celery task that reports its progress.

    celery -A tasks worker --loglevel INFO       (in this folder)
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise21", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise21",
    task_track_started=True,
    result_expires=3600,
)
SECONDS_PER_PAGE = 0.3


@app.task(name="exercise21.build_report", bind=True)
def build_report(self, title, pages=10):
    for page in range(1, pages + 1):
        time.sleep(SECONDS_PER_PAGE)  # the slow part
        self.update_state(state="PROGRESS", meta={"current": page, "total": pages})
    return {"title": title, "pages": pages}
