"""Every exercise against the real broker: its checker fails the untouched starter with a useful
message and passes the reference solution. Both run in temporary copies (`python -m lessons
exercise N NAME --starter | --solution`), never in the tracked starter files.

The checks of different lessons are independent (each uses its own queue names), so they run
side by side, COURSE_EXERCISE_JOBS at a time (default 6: they mostly wait); a lesson's own runs go one after the
other. The timings are printed at the end of the module.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby

import pytest
from helpers import ROOT, SUMMARY_LINES, lesson_lock, sandbox_processes

from lessons import exercises

# The first test waits for every check (the module fixture): give it the time they take together.
pytestmark = [pytest.mark.broker, pytest.mark.timeout(900)]

EXERCISES = exercises.all_exercises()
JOBS = int(os.environ.get("COURSE_EXERCISE_JOBS", "6"))
ids = [f"exercise{e.key}" for e in EXERCISES]
STARTER_TEST = "test_the_checker_fails_the_starter_with_a_useful_message"


def check(exercise, which: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "lessons", "exercise", str(exercise.lesson.number), exercise.name, f"--{which}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=exercise.deadline + 60, env={**os.environ, "NO_COLOR": "1"})
    return result, time.monotonic() - started


def node_problem() -> str | None:
    from lessons.exercises.lesson23_other_languages import node_missing

    return node_missing(exercises.select(23)[0].folder)


@pytest.fixture(scope="module")
def verdicts(request):
    """(exercise key, "starter" | "solution") -> (completed process, seconds), every exercise."""
    found: dict[tuple[str, str], tuple[subprocess.CompletedProcess, float]] = {}

    def run_lesson(group) -> bool:
        # Another test session (the other broker, another worker) may be running this lesson:
        # then its lock is taken, and the thread takes another lesson and comes back later.
        with lesson_lock(group[0].lesson.number, wait=False) as mine:
            if mine:
                for exercise in group:
                    for which in ("starter", "solution") if starters else ("solution",):
                        found[(exercise.key, which)] = check(exercise, which)
            return mine

    def take_lessons():
        while True:
            with picking:
                if not pending:
                    return
                group = pending.popleft()
            if not run_lesson(group):
                with picking:
                    pending.append(group)
                time.sleep(0.5)

    # Only the exercises the selected tests ask about (-k exercise2 runs one lesson's checks), and
    # the starters only if their test is selected: an untouched starter fails whatever the broker,
    # so .ci/run checks them on one leg (-m "not either_broker" on the other).
    selected = [item for item in request.session.items if item.module is request.module and hasattr(item, "callspec")]
    wanted = {item.callspec.params["exercise"].key for item in selected}
    starters = any(item.originalname == STARTER_TEST for item in selected) or not selected
    chosen = [e for e in EXERCISES if e.key in wanted] if wanted else list(EXERCISES)
    groups = [list(g) for _, g in groupby(chosen, key=lambda e: e.lesson.number)]
    groups.sort(key=lambda g: -sum(e.deadline for e in g))  # the long ones first
    pending, picking = deque(groups), threading.Lock()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=JOBS) as pool:
        for done in [pool.submit(take_lessons) for _ in range(JOBS)]:
            done.result()
    wall = time.monotonic() - started
    def took(exercise, which):
        return f"{which} {found[(exercise.key, which)][1]:5.1f} s" if (exercise.key, which) in found else ""

    report(request, [f"Exercise checks, {JOBS} at a time: {wall:.0f} s wall time"] + [
        f"  exercise {e.key:>3}: " + ", ".join(filter(None, (took(e, "starter"), took(e, "solution"))))
        for e in chosen])
    return found


def report(request, lines: list[str]) -> None:
    """A timing report, not an assertion: shown with the session's summary (tests/conftest.py),
    also when the test runs in a pytest-xdist worker, whose own output nobody sees."""
    request.config.stash.setdefault(SUMMARY_LINES, []).extend(["", *lines])


@pytest.mark.either_broker
@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_the_checker_fails_the_starter_with_a_useful_message(verdicts, exercise):
    result, _ = verdicts[(exercise.key, "starter")]
    out = result.stdout
    assert result.returncode == 1, out
    assert "[no] " in out and "Not yet:" in out, out
    assert re.search(exercise.starter_says, out), f"expected {exercise.starter_says!r} in:\n{out}"
    assert "Traceback" not in out, out
    assert f"make hint-{exercise.lesson.number}" in out


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_the_checker_passes_the_reference_solution(verdicts, exercise):
    result, _ = verdicts[(exercise.key, "solution")]
    out = result.stdout
    if exercise.lesson.number == 23 and (problem := node_problem()) and not os.environ.get("CI"):
        assert "[no] Node.js" in out
        pytest.skip(f"the Node.js producer cannot run here: {problem}")
    assert result.returncode == 0, out
    assert "[no] " not in out and "Traceback" not in out, out
    assert re.search(r"Done: all \d+ checks hold", out), out


def test_the_checks_leave_nothing_behind(verdicts, management, redis_client):
    mine = re.compile(r"^exercise\d\d")
    assert [q["name"] for q in management.queues() if mine.match(q["name"])] == []
    assert [e["name"] for e in management.exchanges() if mine.match(e["name"])] == []
    assert list(redis_client.scan_iter("*exercise*")) == []
    assert sandbox_processes() == []


def test_a_learner_who_chose_node_is_checked_on_node_only(tmp_path):
    """Exercise 23 checks the producers the learner changed: here only producer.js."""
    if (problem := node_problem()) and not os.environ.get("CI"):
        pytest.skip(f"the Node.js producer cannot run here: {problem}")
    exercise = exercises.select(23)[0]
    folder = tmp_path / exercise.folder.name
    shutil.copytree(exercise.starter, folder)
    shutil.copy(exercise.solution / "producer.js", folder / "producer.js")
    result = subprocess.run([sys.executable, "-m", "lessons", "exercise", "23", "--folder", str(folder)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=exercise.deadline + 60, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout
    assert "Checking producer.js (" in result.stdout
    assert "producer.py ran" not in result.stdout
    assert sandbox_processes() == []
