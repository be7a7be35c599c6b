"""Exercise 14 (given: do not change it): a remote service that is not always there.

call_service(job) stands in for an HTTP call. A job whose name starts with "flaky" fails on the
first two attempts and works on the third; a job whose name starts with "down" always fails. Each
attempt is written down in Redis (the list exercise14:attempts:<job>, one timestamp per attempt),
so the checker can see when your task tried.
"""

import os
import time

import redis

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


class ServiceUnavailable(ConnectionError):
    """The service did not answer (a timeout, a refused connection ...)."""


def call_service(job):
    attempts = redis.Redis.from_url(REDIS_URL).rpush(f"exercise14:attempts:{job}", time.time())
    if job.startswith("down") or (job.startswith("flaky") and attempts < 3):
        raise ServiceUnavailable(f"the service did not answer (attempt {attempts})")
    return f"data for {job}"
