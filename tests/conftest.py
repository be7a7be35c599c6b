"""Every test session runs in a throwaway RabbitMQ vhost and a Redis database of its own.

The vhost is created over the management API before the first test and deleted after the last,
so no queue, exchange or binding a lesson makes outlives the run. The Redis database is the first
empty one from 15 down to 8, claimed with a marker key (so two sessions at once never share one)
and emptied at the end; when all are taken, the session stops with a sentence instead of taking
one that another session uses. AMQP_URL and REDIS_URL are set in the environment before
`lessons.settings` is imported, so both the tests and every process they start use the sandbox.
"""

from __future__ import annotations

import os
import uuid

import pytest

SANDBOX_VHOST = f"course-test-{uuid.uuid4().hex[:8]}"
REDIS_DATABASES = range(15, 7, -1)  # where a test session may claim an empty Redis database
CLAIM = "course-test-session"


def _with_path(url: str, path: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path=path))


def _claim_redis_database(base_url: str) -> str:
    """REDIS_URL of the first empty database in REDIS_DATABASES, claimed for this session."""
    import redis

    for number in REDIS_DATABASES:
        url = _with_path(base_url, f"/{number}")
        client = redis.Redis.from_url(url, socket_timeout=5)
        # SET NX is the claim: of two sessions that both saw the database empty, one wins.
        if client.dbsize() == 0 and client.set(CLAIM, SANDBOX_VHOST, nx=True, ex=6 * 3600):
            return url
    raise RedisDatabasesTaken(
        f"Every Redis database from {REDIS_DATABASES[0]} down to {REDIS_DATABASES[-1]} is in use by "
        "another test session (or holds keys an interrupted one left). Wait for the others, or "
        f"empty one: redis-cli -n {REDIS_DATABASES[0]} flushdb"
    )


class RedisDatabasesTaken(Exception):
    pass


def pytest_sessionstart(session):
    amqp = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
    os.environ["AMQP_URL"] = _with_path(amqp, "/" + SANDBOX_VHOST)
    os.environ["NO_COLOR"] = "1"
    from lessons import errors
    from lessons.management import Management

    try:
        os.environ["REDIS_URL"] = _claim_redis_database(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        Management(vhost=SANDBOX_VHOST).create_vhost(SANDBOX_VHOST)
    except RedisDatabasesTaken as exc:
        pytest.exit(str(exc), returncode=3)
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
