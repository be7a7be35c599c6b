"""What a learner's file may get wrong, and what the checker then says: a syntax error, a program
that never exits, the wrong broker, a queue declared with other arguments, a worker that cannot
reach the broker, a check that outlives its deadline. Each time the checker ends within its
deadline, names the problem in a sentence (no traceback) and leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from helpers import ROOT, free_port, sandbox_processes

from lessons import catalog, exercises

# How the checker meets a learner's mistakes does not depend on the broker: one leg in CI.
pytestmark = [pytest.mark.broker, pytest.mark.either_broker]


def starter_copy(tmp_path, number: int):
    exercise = exercises.select(number)[0]
    folder = tmp_path / exercise.folder.name
    shutil.copytree(exercise.starter, folder)
    return exercise, folder


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check_folder(number: int, folder, env: dict | None = None) -> tuple[str, int, float]:
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "lessons", "exercise", str(number), "--folder", str(folder)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=150,
                            env={**os.environ, "NO_COLOR": "1", **(env or {})})
    return result.stdout, result.returncode, time.monotonic() - started


def assert_clean(management, out: str) -> None:
    assert "Traceback" not in out, out
    mine = re.compile(r"^exercise\d\d")
    assert [q["name"] for q in management.queues() if mine.match(q["name"])] == []
    assert [e["name"] for e in management.exchanges() if mine.match(e["name"])] == []
    assert sandbox_processes() == []


def test_a_syntax_error_is_named_with_its_line(tmp_path, management):
    exercise, folder = starter_copy(tmp_path, 1)
    edit(folder / "send.py", "    for text in args.texts:", "    for text in args.texts")
    out, code, took = check_folder(1, folder)
    assert code == 1
    assert re.search(r"\[no\] send\.py has a syntax error at line \d+: expected ':'", out), out
    assert_clean(management, out)
    print(f"syntax error reported in {took:.1f} s")


def test_a_program_that_never_exits_is_stopped_at_its_deadline(tmp_path, management):
    exercise, folder = starter_copy(tmp_path, 1)
    edit(folder / "send.py", "    connection.close()", "    while True:\n        connection.sleep(1)")
    out, code, took = check_folder(1, folder)
    assert code == 1
    assert "[no] send.py was still running after 15 s, so the checker stopped it." in out, out
    assert took < exercise.deadline
    assert_clean(management, out)
    print(f"a program that never exits: the check ended after {took:.1f} s")


def test_the_wrong_broker_is_named(tmp_path, management):
    exercise, folder = starter_copy(tmp_path, 1)
    port = free_port()
    edit(folder / "send.py", 'AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")',
         f'AMQP_URL = "amqp://course:course@127.0.0.1:{port}/%2F"')
    out, code, _ = check_folder(1, folder)
    assert code == 1
    assert re.search(r"\[no\] send\.py could not connect to RabbitMQ \(connection refused\) at line \d+ of "
                     r"send\.py\. Does it take the broker's address from the AMQP_URL environment variable\?", out), out
    assert_clean(management, out)


def test_a_queue_declared_with_other_arguments_is_named(tmp_path, management):
    exercise, folder = starter_copy(tmp_path, 2)
    edit(folder / "worker.py", "channel.queue_declare(queue=QUEUE, durable=True)",
         'channel.queue_declare(queue=QUEUE, durable=True, arguments={"x-max-length": 10})')
    out, code, _ = check_folder(2, folder)
    assert code == 1
    assert ("worker.py declared the queue 'exercise02.tasks' with other arguments than the broker already has "
            "(inequivalent arg 'x-max-length'") in out, out
    assert_clean(management, out)


def test_a_worker_that_cannot_reach_the_broker_is_named_quickly(tmp_path, management):
    exercise, folder = starter_copy(tmp_path, 12)
    edit(folder / "tasks.py", 'Celery("exercise12", broker=AMQP_URL,',
         f'Celery("exercise12", broker="amqp://course:course@127.0.0.1:{free_port()}//",')
    out, code, took = check_folder(12, folder)
    assert code == 1
    assert re.search(r"\[no\] the worker cannot connect to the broker at amqp://course:\*\*@127\.0\.0\.1:\d+// "
                     r"\(\[Errno 111\] Connection refused\) and keeps trying\.", out), out
    assert_clean(management, out)
    print(f"a worker with the wrong broker: named after {took:.1f} s")


def test_a_celery_app_with_a_syntax_error_is_named(tmp_path, management):
    exercise, folder = starter_copy(tmp_path, 12)
    edit(folder / "tasks.py", "def shout(text):", "def shout(text)")
    out, code, _ = check_folder(12, folder)
    assert code == 1
    assert re.search(r"\[no\] the worker stopped before it was ready\. tasks\.py has a syntax error at line \d+", out), out
    assert_clean(management, out)


def test_a_check_that_outlives_its_deadline_stops_everything(management, capsys):
    """The deadline of the whole check: it stops what it started and says so."""
    from lessons.exercises.commands import run_check

    def slow_check(ck):
        ck.start_file("receive.py", name="receiver")
        time.sleep(30)

    lesson = catalog.get(1)
    exercise = replace(exercises.select(1)[0], check=slow_check, deadline=2.0, lesson=lesson)
    started = time.monotonic()
    passed, code = run_check(exercise, exercise.starter)
    took = time.monotonic() - started
    out = capsys.readouterr().out
    assert not passed and code == 1
    assert "[no] The check did not end within its deadline of 2 s" in out, out
    assert took < 15
    assert_clean(management, out)


def test_progress_is_recorded_for_the_exercises_folder(tmp_path, management):
    """A check of the learner's folder (not --folder) records its verdict; list shows it."""
    root = tmp_path / "exercises"
    exercise = exercises.select(1)[0]
    shutil.copytree(exercise.starter, root / exercise.folder.name)
    env = {"COURSE_EXERCISES_DIR": str(root), "COURSE_PROGRESS_FILE": str(tmp_path / "progress.json")}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "lessons", *args], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=90, env={**os.environ, **env})

    assert re.search(r"\[ \]\s+1\s+.*not started", cli("exercises").stdout)
    assert cli("exercise", "1").returncode == 1
    assert re.search(r"\[!\]\s+1\s+.*failing", cli("exercises").stdout)
    shutil.copytree(exercise.solution, root / exercise.folder.name, dirs_exist_ok=True)
    solved = cli("exercise", "1")
    assert solved.returncode == 0, solved.stdout
    listing = cli("exercises").stdout
    assert re.search(r"\[x\]\s+1\s+.*done", listing) and "1 of " in listing, listing
    assert_clean(management, solved.stdout)
