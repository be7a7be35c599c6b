"""pytest's set-up for this folder: Celery's fixtures (celery_app, celery_worker), pointed at the
app of tasks.py. Given: you need not change it."""

import pytest

pytest_plugins = ("celery.contrib.pytest",)


@pytest.fixture
def celery_app():
    import celery.contrib.testing.tasks  # noqa: F401  the ping task celery_worker sends at start

    from tasks import app

    app.conf.broker_heartbeat = 0  # the worker in a thread stops at once when the test ends
    return app
