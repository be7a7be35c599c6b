"""Every test session runs in a throwaway RabbitMQ vhost and a Redis database of its own.

The vhost is created over the management API before the first test and deleted after the last,
so no queue, exchange or binding a lesson makes outlives the run. AMQP_URL and REDIS_URL are set
in the environment before `lessons.settings` is imported, so both the tests and every process
they start use the sandbox.
"""

from __future__ import annotations

import os
import uuid

import pytest

SANDBOX_VHOST = f"course-test-{uuid.uuid4().hex[:8]}"
SANDBOX_REDIS_DB = 15  # the tests' own Redis database, emptied before and after a run


def _sandbox_urls() -> tuple[str, str]:
    from urllib.parse import urlsplit, urlunsplit

    amqp = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
    amqp = urlunsplit(urlsplit(amqp)._replace(path="/" + SANDBOX_VHOST))
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    redis_url = urlunsplit(urlsplit(redis_url)._replace(path=f"/{SANDBOX_REDIS_DB}"))
    return amqp, redis_url


def pytest_sessionstart(session):
    os.environ["AMQP_URL"], os.environ["REDIS_URL"] = _sandbox_urls()
    os.environ["NO_COLOR"] = "1"
    from lessons import errors
    from lessons.management import Management

    try:
        Management(vhost=SANDBOX_VHOST).create_vhost(SANDBOX_VHOST)
        _redis().flushdb()
    except Exception as exc:
        pytest.exit(f"The test stack is not usable: {errors.explain(exc) or exc}\n"
                    "Start it ('make up') and check it with 'make doctor'.", returncode=3)


def pytest_sessionfinish(session, exitstatus):
    from lessons.management import Management

    try:
        Management(vhost=SANDBOX_VHOST).delete_vhost(SANDBOX_VHOST)
        _redis().flushdb()
    except Exception:  # the stack went away; nothing left to clean
        pass


def _redis():
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5)


@pytest.fixture
def management():
    """The management API, looking at the test session's vhost."""
    from lessons.management import Management

    return Management()


@pytest.fixture
def redis_client():
    return _redis()
