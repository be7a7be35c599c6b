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
import re
import time
import uuid
from pathlib import Path

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


def _xdist_controller(config) -> bool:
    """The pytest-xdist process that hands modules to its workers and runs no test itself."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def pytest_sessionstart(session):
    if _xdist_controller(session.config):
        return  # each worker is a test session with a sandbox of its own
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

    if _xdist_controller(session.config):
        return
    if hasattr(session.config, "workeroutput"):  # sent to the controller: pytest_testnodedown
        from helpers import SUMMARY_LINES

        session.config.workeroutput["course_lock_waits"] = dict(_LOCK_WAITS)
        session.config.workeroutput["course_summary_lines"] = session.config.stash.get(SUMMARY_LINES, [])
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


@pytest.fixture(scope="module", autouse=True)
def lesson_owned_by_this_session(request):
    """test_lessonNN_*.py (or a module that sets LESSON_LOCK = NN) runs while holding lesson NN's
    lock, which another test session running at the same time waits for (tests/helpers.py)."""
    from helpers import lesson_lock

    found = re.match(r"test_lesson(\d+)_", request.module.__name__.rpartition(".")[2])
    number = getattr(request.module, "LESSON_LOCK", int(found[1]) if found else None)
    if number is None:
        yield
        return
    asked = time.monotonic()
    with lesson_lock(number):
        _LOCK_WAITS[request.module.__name__.rpartition(".")[2]] = time.monotonic() - asked
        yield


# -- two brokers ----------------------------------------------------------------------------------
# CI runs the suite on RabbitMQ 3.10 and again on 4.x; the second run takes only the tests that
# talk to the broker (`-m broker`). Every lesson test does; others say so with @pytest.mark.broker.

def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name.startswith("test_lesson"):
            item.add_marker(pytest.mark.broker)
    _one_leg_only(config, items)
    # The longest modules first (pytest-xdist hands out whole modules in this order). The 4.x
    # session (COURSE_TEST_ORDER=second) takes them in another order, the rest backwards and the
    # exercise checks last, so that the two sessions CI runs side by side seldom want the same
    # lesson's lock at the same time.
    second = os.environ.get("COURSE_TEST_ORDER") == "second"
    first = LONGEST_SECOND if second else LONGEST_FIRST
    modules = list(dict.fromkeys(item.path.stem for item in items))
    last = LAST_SECOND if second else []
    rest = [name for name in modules if name not in first and name not in last]
    rank = {name: place for place, name in enumerate(
        [name for name in first if name in modules] + (rest[::-1] if second else rest)
        + [name for name in last if name in modules])}
    items.sort(key=lambda item: rank[item.path.stem])  # stable: a module keeps its own order


# A test marked either_broker proves the same on any broker (Ctrl+C in a demo, a missing tool, an
# untouched starter, a lesson about processes rather than the broker). .ci/run names each leg
# (COURSE_LEG=first on 3.10, which runs in two processes; second on 4.x, in one) and runs such a
# test on the first only. Without COURSE_LEG (make test, make test-rabbitmq4) every test runs.
def _one_leg_only(config, items) -> None:
    leg = os.environ.get("COURSE_LEG")
    if leg not in ("first", "second"):
        return
    kept, dropped = [], []
    for item in items:
        either = item.get_closest_marker("either_broker") is not None
        (kept if not either or leg == "first" else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


# The order of the longest modules (1 to 2 minutes each on CI's machine, both legs at once; every
# other module takes less than one). The first leg runs in two processes, which take modules in
# this order; the second in one. The two legs never run the exercise checks at the same time:
# they take the lesson locks of every lesson, six checks at a time, and would wait for each other's
# lessons and fight for the CPU. So the first leg starts with them while the second runs lessons
# whose exercises the first checks last, and the second leg checks them at its end.
LONGEST_FIRST = ["test_exercises", "test_lesson25_cluster", "test_lesson23_other_languages",
                 "test_lesson24_services", "test_lesson00_install", "test_lesson28_performance",
                 "test_rabbitmq4_script", "test_lesson29_testing", "test_lesson26_pressure",
                 "test_lesson19_flower", "test_lesson17_routing", "test_exercises_bad_input",
                 "test_copied_lessons"]
LONGEST_SECOND = ["test_lesson28_performance", "test_lesson26_pressure", "test_lesson30_delayed_work",
                  "test_lesson19_flower", "test_lesson25_cluster", "test_lesson17_routing",
                  "test_lesson23_other_languages", "test_lesson00_install"]
LAST_SECOND = ["test_exercises"]


RABBITMQ4_LOGS = Path(os.environ.get("RABBITMQ4_DIR", "/var/tmp/course-rabbitmq4")) / "rootfs/var/lib/course-nodes"
# Logged when the node boots with the management plugin's metrics collection on (the default,
# also in the compose image): a property of the node, not of any lesson.
NODE_LEVEL_DEPRECATIONS = {"management_metrics_collection"}


def _broker_overview() -> dict:
    from lessons.management import Management

    try:
        return Management().overview()
    except Exception:
        return {}


def _deprecation_lines(log: Path, start: int) -> list[str]:
    with log.open("rb") as handle:
        handle.seek(start)
        text = handle.read().decode(errors="replace")
    found = re.findall(r"Deprecated features: `([^`]+)`", text)
    return [name for name in found if name not in NODE_LEVEL_DEPRECATIONS]


@pytest.fixture(scope="module", autouse=True)
def no_deprecated_feature_used(request):
    """On the course's 4.x node, a test module whose lesson made the node log a deprecated
    feature fails (the log names it once per boot, so the first lesson to use it is named)."""
    node = _broker().get("node", "")
    log = RABBITMQ4_LOGS / node / "log" / f"{node}.log"
    if not node.startswith("rabbit4@") or not log.exists():
        yield
        return
    start = log.stat().st_size
    yield
    used = _deprecation_lines(log, start)
    if used:
        pytest.fail(f"{request.module.__name__} made RabbitMQ {_BROKER['rabbitmq_version']} log "
                    f"deprecated features: {', '.join(sorted(set(used)))} (see {log}).")


_BROKER: dict = {}
_STARTED = time.monotonic()
# Seconds per test module (setup, call and teardown of its tests), and how much of it was spent
# waiting for a lesson's lock that the other session held: the cost of each lesson per leg.
_MODULE_SECONDS: dict[str, float] = {}
_LOCK_WAITS: dict[str, float] = {}
@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """A pytest-xdist worker's lock waits and summary lines, for the summary its controller prints."""
    output = getattr(node, "workeroutput", {})
    from helpers import SUMMARY_LINES

    _LOCK_WAITS.update(output.get("course_lock_waits", {}))
    node.config.stash.setdefault(SUMMARY_LINES, []).extend(output.get("course_summary_lines", []))


def pytest_runtest_logreport(report):
    module = Path(report.nodeid.split("::")[0]).stem
    _MODULE_SECONDS[module] = _MODULE_SECONDS.get(module, 0.0) + report.duration


def _broker() -> dict:
    """The broker this session tests (version, node name), asked once."""
    if not _BROKER:
        _BROKER.update(_broker_overview())
    return _BROKER


def pytest_report_header(config):
    if _broker():
        return f"broker: RabbitMQ {_BROKER.get('rabbitmq_version')} ({_BROKER.get('node')})"
    return "broker: not reachable"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line naming the broker this run tested and the counts, for CI's closing lines."""
    stats = terminalreporter.stats
    counts = {key: len(stats.get(key, [])) for key in ("failed", "error", "skipped")}
    counts["passed"] = len([report for report in stats.get("passed", []) if report.when == "call"])
    label = os.environ.get("COURSE_BROKER_LABEL", "")
    version = _broker().get("rabbitmq_version", "?")
    line = (f"RabbitMQ {version} ({_BROKER.get('node', '?')}{', ' + label if label else ''}): "
            f"{counts['passed']} passed, {counts['failed'] + counts['error']} failed, "
            f"{counts['skipped']} skipped in {time.monotonic() - _STARTED:.0f} s")
    costly = sorted(((seconds, module) for module, seconds in _MODULE_SECONDS.items() if seconds >= 5),
                    reverse=True)
    if costly:
        terminalreporter.write_line(f"Cost per test module on RabbitMQ {version}, in seconds (of which "
                                    "waiting for the other session's lesson lock):")
        for seconds, module in costly:
            waited = _LOCK_WAITS.get(module, 0.0)
            terminalreporter.write_line(f"  {seconds:6.0f}  {module}" + (f"  ({waited:.0f})" if waited >= 1 else ""))
    from helpers import SUMMARY_LINES

    for extra in config.stash.get(SUMMARY_LINES, []):
        terminalreporter.write_line(extra)
    terminalreporter.write_line(line)
    if (path := os.environ.get("COURSE_LEG_SUMMARY")) and not hasattr(config, "workerinput"):
        Path(path).write_text(line + "\n", encoding="utf-8")
