"""A test of tasks.hashtags. It passes, and that is the problem: tasks.py has a bug that only a
real worker shows, and this test runs the task eagerly, in its own process.

TODO: rewrite the test so that the task runs on a real worker (the celery_worker fixture of
conftest.py) and its result comes back through the broker and Redis. It must fail against this
tasks.py and pass once the task is fixed (the checker runs it against both).
"""

import pytest

from tasks import app, hashtags


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_hashtags(eager):
    result = hashtags.delay("#celery is #fun, #celery")
    assert sorted(result.get(timeout=10)) == ["celery", "fun,"]
