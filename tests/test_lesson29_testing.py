"""Lesson 29 end to end: the lesson's own tests, run by its demo against the real broker, and the
folder run as a project of its own; the course's test run does not collect them."""

import os
import re
import shutil
import subprocess
import sys

import pytest
from helpers import (
    ROOT,
    assert_clean_run,
    interrupt_at,
    run_lesson,
    sandbox_processes,
    start_lesson,
)

from lessons import catalog

# Lesson 29 is about testing Celery code (eager mode against a real worker): the same on any
# broker, so CI runs it on one leg (tests/conftest.py).
pytestmark = pytest.mark.either_broker

LESSON = catalog.get(29)
QUEUES = ("lesson29_default", "lesson29_emails", "lesson29_email")


def test_demo_runs_the_tests_and_shows_the_eager_trap(management):
    out = assert_clean_run(run_lesson(29, timeout=180))
    # The same two assertions pass eagerly and fail (strict xfail) on the real worker.
    assert "test_eager.py::test_word_lengths_eagerly PASSED" in out
    assert "test_eager.py::test_welcome_mail_eagerly PASSED" in out
    assert re.search(r"test_worker.py::test_word_lengths_on_a_worker XFAIL", out)
    assert re.search(r"test_worker.py::test_welcome_mail_on_a_worker XFAIL", out)
    assert "AssertionError: assert {'3': 4, '2': 1, '1': 1} == {3: 4, 2: 1, 1: 1}" in out
    assert "celery.exceptions.TimeoutError: The operation timed out." in out
    for name in ("test_flaky_is_retried_until_it_works", "test_a_chord_adds_up_the_results_of_a_group",
                 "test_the_soft_time_limit_lets_the_task_clean_up", "test_the_hard_time_limit_kills_the_task"):
        assert f"::{name} PASSED" in out, name
    assert "4 passed, 2 xfailed" in out
    assert "Queue lesson29_email, asked with a passive declare: 1 message(s), 0 consumer(s)." in out
    for queue in QUEUES:
        assert management.queue(queue) is None, f"{queue} was left behind"
    assert sandbox_processes() == []


def test_ctrl_c_while_the_worker_process_runs_stops_everything():
    def the_worker_runs(_):
        assert [p for p in sandbox_processes() if "celery" in p and "worker" in p], "the worker process runs"

    rest = interrupt_at(start_lesson(29), "test_the_soft_time_limit_lets_the_task_clean_up PASSED",
                        before=the_worker_runs, timeout=150)
    assert "Interrupted. Stopping everything this demo started" in rest
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest
    assert sandbox_processes() == []


def test_the_folder_runs_as_a_project_of_its_own(tmp_path):
    """Copied out (no demo, no package file), `pytest` in the folder finds its conftest.py and
    pytest.ini and imports tasks.py by its plain name; the unit tests need no broker."""
    copy = tmp_path / "project"
    shutil.copytree(LESSON.folder, copy, ignore=shutil.ignore_patterns(
        "demo.py", "__init__.py", "README*", "__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["AMQP_URL"] = "amqp://course:course@127.0.0.1:1/%2F"  # nothing listens there
    pytest_program = os.path.join(os.path.dirname(sys.executable), "pytest")
    result = subprocess.run([pytest_program, "-p", "no:cacheprovider", "-v", "test_unit.py", "test_eager.py"],
                            cwd=copy, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"rootdir: {copy}" in result.stdout and "configfile: pytest.ini" in result.stdout
    assert "5 passed" in result.stdout


@pytest.mark.broker
def test_the_course_test_run_does_not_collect_the_lesson_tests():
    """`make test` (pytest with no path) collects tests/ only: the lesson's test files are
    teaching text for its own pytest run, not part of the course's suite."""
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "--noconftest",
                             "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "tests/test_lesson29_testing.py::" in result.stdout, result.stdout[-2000:]
    assert "lesson29_testing/test_" not in result.stdout


def test_pytest_plugins_in_a_conftest_below_the_rootdir_stops_collection(tmp_path):
    """The README's Pitfall: the lesson's conftest.py two folders below where pytest starts
    (deeper than the test* folders it loads conftests from at start) is an error, not ignored."""
    project = tmp_path / "project"
    shutil.copytree(LESSON.folder, project / "tests" / "celery_tasks", ignore=shutil.ignore_patterns(
        "demo.py", "__init__.py", "README*", "__pycache__", "pytest.ini"))
    (project / "pytest.ini").write_text("[pytest]\n")
    pytest_program = os.path.join(os.path.dirname(sys.executable), "pytest")
    result = subprocess.run([pytest_program, "-p", "no:cacheprovider", "--collect-only", "-q"],
                            cwd=project, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0, result.stdout
    assert "Defining 'pytest_plugins' in a non-top-level conftest is no longer supported" in result.stdout
