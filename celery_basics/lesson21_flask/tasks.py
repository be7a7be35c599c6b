"""Lesson 21, the Celery side: one slow task that reports its progress.

    celery -A tasks worker --loglevel INFO

The Flask app (app.py) only queues `build_report` and reads its state back; the work runs here,
in the worker, so a web request never waits for it.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("lesson21", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="lesson21_flask",  # the lesson's own queue
    task_track_started=True,  # STARTED between PENDING and the first PROGRESS
    result_expires=3600,  # the app polls for results; an hour is plenty
)


class ReportError(Exception):
    """A report that cannot be built: the message is meant for the user."""


# throws=(ReportError,): an expected failure. The worker logs it in one line, without a
# traceback, and the app shows its message; anything else is a bug and logs its traceback.
@app.task(bind=True, throws=(ReportError,))
def build_report(self, title, pages=10, seconds_per_page=0.2, fail_at=None):
    """Build a report page by page, telling the backend how far it got."""
    lines = 0
    for page in range(1, pages + 1):
        if page == fail_at:
            raise ReportError(f"page {page} of '{title}' could not be rendered (no data for it)")
        time.sleep(seconds_per_page)  # the slow part, scaled down for the lesson
        lines += 40 + page
        # A custom state with meta, as in lesson 15: GET /reports/<id> turns it into a bar.
        self.update_state(state="PROGRESS", meta={"current": page, "total": pages})
    return {"title": title, "pages": pages, "lines": lines}
