"""The same calls through the real broker to a real worker: celery_worker runs one in a thread
of this process, consuming our queues, for the length of each test."""

import pytest
from celery import chord
from celery.exceptions import TimeoutError

from tasks import add, flaky, send_welcome, slow, total, word_lengths


def test_add_on_a_worker(celery_worker):
    assert add.delay(2, 3).get(timeout=10) == 5


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="JSON turns the int keys into strings: the worker returns {'3': 4, ...}")
def test_word_lengths_on_a_worker(celery_worker):
    assert word_lengths.delay("the cat sat on a mat").get(timeout=10) == {3: 4, 2: 1, 1: 1}


@pytest.mark.xfail(strict=True, raises=TimeoutError,
                   reason="task_routes sends it to lesson29_email, a queue no worker consumes")
def test_welcome_mail_on_a_worker(celery_worker):
    assert send_welcome.delay("ada@example.com").get(timeout=3) == "welcome mail sent to ada@example.com"


def test_flaky_is_retried_until_it_works(celery_worker):
    assert flaky.delay(2).get(timeout=10) == 2  # two retries, then the answer


def test_a_chord_adds_up_the_results_of_a_group(celery_worker):
    assert chord(add.s(i, i) for i in range(5))(total.s()).get(timeout=10) == 20


def test_the_thread_worker_enforces_no_time_limit(celery_worker):
    # celery_worker runs the "solo" pool, which ignores soft_time_limit and time_limit:
    # test_time_limits.py uses a worker process with the prefork pool for them.
    assert slow.delay(1).get(timeout=10) == "slept 1 s"
