"""Lesson 30: three mistakes with delayed tasks, and what Celery does with each.

    python bad_input.py            (a worker of quorum_tasks.py runs them; see the README)

1. a countdown in the past, 2. a naive eta (no time zone), 3. an eta later than expires.
Each line says what Celery put in the message; the worker's log says what it did with it.
"""

import time
from datetime import datetime, timedelta, timezone

from celery.signals import before_task_publish

from quorum_tasks import remind

sent = {}


@before_task_publish.connect
def remember_headers(headers=None, **kwargs):
    sent[headers["id"]] = headers  # the eta and expires Celery writes into the message


def show(label, result):
    headers = sent[result.id]
    print(f" [x] {label}: task {result.id}, eta {headers['eta']}, expires {headers['expires']}", flush=True)


def main():
    show("countdown=-30", remind.apply_async(("past countdown",), countdown=-30))

    naive = datetime.now() + timedelta(seconds=5)  # no tzinfo: Celery reads it as UTC
    show(f"eta=datetime.now()+5s (naive, local time {time.strftime('%Z')})",
         remind.apply_async(("naive eta",), eta=naive))

    now = datetime.now(timezone.utc)
    show("eta=now+3s, expires=now+1s",
         remind.apply_async(("expires first",), eta=now + timedelta(seconds=3), expires=now + timedelta(seconds=1)))


if __name__ == "__main__":
    main()
