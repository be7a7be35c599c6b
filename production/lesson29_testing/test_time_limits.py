"""Time limits need a worker process with the prefork pool (Celery's default): the fixture below
starts one, as you would in a terminal, and stops it after the last test of this file."""

import signal
import subprocess
import sys
import time

import pytest
from celery.exceptions import TimeLimitExceeded

from tasks import app, slow, stuck

WORKER_NAME = "lesson29-tests@localhost"


@pytest.fixture(scope="module")
def worker_process():
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tasks", "worker", "--hostname", WORKER_NAME,
         "--pool", "prefork", "--concurrency", "1", "--loglevel", "WARNING",
         "--without-mingle", "--without-gossip"])
    try:
        deadline = time.monotonic() + 30
        while not app.control.ping(destination=[WORKER_NAME], timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start (exit code {worker.poll()})")
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)  # warm shutdown: it finishes the task it runs
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def test_the_soft_time_limit_lets_the_task_clean_up(worker_process):
    assert slow.delay(5).get(timeout=10) == "cleaned up after the soft time limit"


def test_the_hard_time_limit_kills_the_task(worker_process):
    with pytest.raises(TimeLimitExceeded):
        stuck.delay(5).get(timeout=10)
