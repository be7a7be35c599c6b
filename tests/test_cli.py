"""The course runner's command line, including the trouble a learner meets on day one."""

import os
import socket
import subprocess
import sys
import time

import pytest
from helpers import ROOT, interrupt_at, sandbox_processes

from lessons import catalog, settings


def lessons_cli(*args, env=None, timeout=30):
    return subprocess.run([sys.executable, "-m", "lessons", *args], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def test_list_shows_every_lesson():
    result = lessons_cli("list")
    assert result.returncode == 0
    for lesson in catalog.LESSONS:
        assert lesson.title in result.stdout


def test_broker_down_is_one_clear_sentence():
    url = f"amqp://course:course@127.0.0.1:{closed_port()}/%2F"
    started = time.monotonic()
    result = lessons_cli("run", "1", env={"AMQP_URL": url})
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert "Traceback" not in result.stdout
    assert settings.redact(url) in result.stdout and "connection refused" in result.stdout
    assert "rabbitmq-server -detached" in result.stdout or "make up" in result.stdout
    assert len(result.stdout.strip().splitlines()) <= 2
    print(f"broker-down answer in {elapsed:.2f} s")  # a timing is reported, never asserted


def test_broker_down_through_make_too():
    url = f"amqp://course:course@127.0.0.1:{closed_port()}/%2F"
    result = subprocess.run(["make", "--no-print-directory", "lesson-1"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=60, env={**os.environ, "AMQP_URL": url})
    assert result.returncode != 0
    assert "connection refused" in result.stdout and "Traceback" not in result.stdout


def test_wrong_password_says_the_credentials_were_refused():
    url = os.environ["AMQP_URL"].replace("course:course@", "course:wrong-password@")
    result = lessons_cli("run", "1", env={"AMQP_URL": url})
    assert result.returncode == 1
    assert "refused the credentials" in result.stdout
    assert "wrong-password" not in result.stdout, "the password is never printed"
    assert "Traceback" not in result.stdout


def test_a_role_with_the_broker_down_is_refused_before_it_starts():
    url = f"amqp://course:course@127.0.0.1:{closed_port()}/%2F"
    result = lessons_cli("run", "1", "--role", "send", env={"AMQP_URL": url})
    assert result.returncode == 1
    assert "Traceback" not in result.stdout
    assert "RabbitMQ is not usable" in result.stdout and "connection refused" in result.stdout


def test_a_role_prints_what_a_learner_types_in_the_lessons_folder():
    result = lessons_cli("run", "1", "--role", "send", "--", "Hi there")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[:2] == [
        "Lesson 1, role send: python send.py 'Hi there'   (in rabbitmq_basics/lesson01_hello_world/)",
        " [x] Sent 'Hi there'"]
    from lessons import broker

    broker.delete_queues("hello")


def test_a_command_role_runs_the_celery_command_line():
    result = lessons_cli("run", "12", "--role", "worker", "--", "--help")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[0] == (
        "Lesson 12, role worker: celery -A tasks worker --loglevel INFO --help"
        "   (in celery_basics/lesson12_first_app/)")
    assert "Usage: celery worker [OPTIONS]" in result.stdout


@pytest.mark.parametrize("args", [["list"], ["--help"], ["course-map"], ["run", "1"]],
                         ids=["list", "help", "course-map", "demo"])
def test_a_reader_that_stops_reading_ends_quietly(args):
    """`python -m lessons list | head -3`: no BrokenPipeError traceback, and a demo still stops
    what it started and tidies up."""
    process = subprocess.Popen([sys.executable, "-m", "lessons", *args], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    first = [process.stdout.readline() for _ in range(3)]
    process.stdout.close()  # what `head -3` does once it has its lines
    _, errors = process.communicate(timeout=60)
    assert any(line.strip() for line in first)
    assert "BrokenPipeError" not in errors and "Traceback" not in errors, errors
    assert process.returncode in (0, 1), errors  # help and list: 0; the demo: its own verdict
    assert sandbox_processes() == []


def test_head_in_a_shell_pipeline_says_nothing_on_stderr():
    result = subprocess.run(f"{sys.executable} -m lessons list | head -3", shell=True, cwd=ROOT,
                            capture_output=True, text=True, timeout=30)
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr == ""


def test_unknown_lesson_lists_the_valid_ones():
    result = lessons_cli("run", "99")
    assert result.returncode == 2
    assert "There is no lesson 99" in result.stdout
    assert ", ".join(str(lesson.number) for lesson in catalog.LESSONS) in result.stdout


def test_unknown_role_lists_the_valid_ones():
    result = lessons_cli("run", "2", "--role", "boss")
    assert result.returncode == 2
    assert "Lesson 2 has no role 'boss'. Its roles are: new_task, worker." in result.stdout


def test_ctrl_c_in_a_role_run_in_the_foreground_exits_cleanly():
    role = subprocess.Popen([sys.executable, "-m", "lessons", "run", "1", "--role", "receive"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = interrupt_at(role, "Waiting for messages", timeout=20)
    assert role.returncode == 0, out
    assert "Interrupted, bye." in out and "Traceback" not in out
    assert sandbox_processes() == []
    from lessons import broker

    broker.delete_queues("hello")


def test_doctor_reports_each_service():
    result = lessons_cli("doctor")
    assert result.returncode == 0, result.stdout
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[2:] if line.strip()}
    assert lines["rabbitmq"].split()[1] == "up" and settings.redact(settings.AMQP_URL) in lines["rabbitmq"]
    assert lines["management"].split()[1] == "up"
    assert lines["redis"].split()[1] == "up" and "redis://" in lines["redis"]
    assert lines["flower"].split()[1] in ("up", "DOWN")  # a lesson starts its own when needed
    assert "every lesson can run" in result.stdout


def test_doctor_names_the_fix_when_redis_is_down():
    result = lessons_cli("doctor", env={"REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"})
    assert result.returncode == 1
    [line] = [line for line in result.stdout.splitlines() if line.strip().startswith("redis ")]
    assert line.split()[1] == "DOWN", result.stdout
    assert "redis-server" in result.stdout and "Some services are down" in result.stdout
