"""pytest's set-up for this folder: Celery's fixtures, pointed at the app of tasks.py.

Celery ships its pytest fixtures (celery_app, celery_worker, ...) in celery.contrib.pytest but
does not turn them on: the pytest_plugins line does.
"""

import pytest

pytest_plugins = ("celery.contrib.pytest",)


@pytest.fixture
def celery_app():
    """The app under test is ours (its broker, backend, queues and routes), not a blank one."""
    import celery.contrib.testing.tasks  # noqa: F401  the ping task celery_worker sends at start

    from tasks import app

    # No AMQP heartbeats for the worker in a thread: with them its event loop may sleep until
    # the next heartbeat check, tens of seconds, before it sees that the test asks it to stop
    # (celery_worker waits 10 s, then fails). Celery's own test app sets the same.
    app.conf.broker_heartbeat = 0
    return app
