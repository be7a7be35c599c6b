"""Helpers the lesson tests share: run a lesson or one of its roles as a learner would, interrupt
it at a line, judge its output, and find the processes a test left behind (with psutil)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import selectors
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from lessons import catalog
from lessons.broker import celery_env
from lessons.processes import Process, launch_argv
from lessons.waiting import ReadinessTimeout, eventually, wait_until

ROOT = Path(__file__).resolve().parent.parent
# Lines a test module adds to its session's summary (the exercise checks' timings): conftest.py
# prints them, and ships them from a pytest-xdist worker to the controller that prints.
SUMMARY_LINES = pytest.StashKey[list]()


def run_lesson(number: int, *args: str, timeout: float = 90, env: dict | None = None,
               role: str | None = None) -> subprocess.CompletedProcess:
    """Run `python -m lessons run N [--role R] -- args` as a learner would; output merged into .stdout."""
    argv = [sys.executable, "-m", "lessons", "run", str(number)]
    if role:
        argv += ["--role", role]
    if args:
        argv += ["--", *args]
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, **(env or {})})
    try:
        out, _ = process.communicate(timeout=timeout)
    except BaseException:  # a deadline, or the test run interrupted: the demo cleans up first
        end_demo(process)
        raise
    return subprocess.CompletedProcess(argv, process.returncode, out)


def end_demo(process: subprocess.Popen, grace: float = 90) -> str:
    """Stop a demo that is still running as a learner would, with Ctrl+C, and give it time to
    stop its nodes and workers (killed at once, it would leave them behind); killed only if it
    has not ended after `grace` seconds. Its remaining output."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        rest, _ = process.communicate(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        rest, _ = process.communicate()
    return rest or ""


def assert_clean_run(result: subprocess.CompletedProcess) -> str:
    """The demo exited 0, every fact held, and nothing printed a traceback."""
    out = result.stdout
    assert result.returncode == 0, out
    assert "Traceback" not in out, out
    assert "[FAILED]" not in out, out
    assert "facts hold." in out, out
    return out


def start_role(number: int, role: str, *args: str, name: str | None = None, env: dict | None = None,
               echo: bool = False) -> Process:
    """Role `role` of lesson N in the background, started as `make lesson-N ROLE=role ARGS=...`
    starts it: through the launcher, in the lesson's folder (Celery commands stop on SIGTERM)."""
    lesson = catalog.get(number)
    command = lesson.command(role)
    argv = launch_argv(*(command or [lesson.role_module(role)]), *args)
    celery = bool(command) and command[0] == "celery"
    return Process(name or role, argv, colour=None, env=celery_env(env) if celery else env,
                   cwd=lesson.folder, stop_signal=signal.SIGTERM if celery else signal.SIGINT,
                   echo=echo)


def start_lesson(number: int, *args: str, env: dict | None = None) -> subprocess.Popen:
    """Start `python -m lessons run N` in the background, output in .stdout (text)."""
    argv = [sys.executable, "-m", "lessons", "run", str(number)]
    if args:
        argv += ["--", *args]
    return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})


def read_until(process: subprocess.Popen, text: str | re.Pattern, timeout: float = 30) -> str:
    """Read the process's output until a line contains `text` (or matches it, for a compiled
    pattern); return all that was read (the lines after it that arrived in the same chunk
    included, so none is lost).

    It reads the pipe itself (os.read): the text wrapper of process.stdout keeps read-ahead lines
    in its own buffer, where select() cannot see them, and a wait for them could hang.
    """
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pattern = text if isinstance(text, re.Pattern) else re.compile(re.escape(text))
    fd = process.stdout.fileno()
    seen = ""
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)

    def missing() -> AssertionError:
        return AssertionError(f"{text!r} did not appear within {timeout} s; output so far:\n{seen}")

    def arrived() -> bool:
        """Read what the pipe holds (waiting up to 0.1 s for it); True once a complete line matches."""
        nonlocal seen
        if selector.select(timeout=0.1):
            chunk = os.read(fd, 65536)
            if not chunk:  # the end of the output: its last line may have no newline
                seen += decoder.decode(b"", final=True)
                if any(map(pattern.search, seen.splitlines())):
                    return True
                raise missing()
            seen += decoder.decode(chunk)
        return any(map(pattern.search, seen[:seen.rfind("\n") + 1].splitlines()))

    try:
        wait_until(arrived, timeout=timeout, interval=0)  # the select() in arrived() is the pause
    except ReadinessTimeout:
        raise missing() from None
    finally:
        selector.close()
    return seen


def interrupt_at(process: subprocess.Popen, text: str | re.Pattern, sig: int = signal.SIGINT,
                 timeout: float = 60, before=None) -> str:
    """Wait for `text` in the process's output, call `before(output so far)` if given (a look
    from outside while it runs), send `sig` (Ctrl+C by default), wait for the end; the whole
    output. The process is killed if it does not end within 30 s."""
    try:
        seen = read_until(process, text, timeout=timeout)
        if before is not None:
            before(seen)
        process.send_signal(sig)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            end_demo(process)
    return seen + rest


def lesson_processes(contains: str = "", **env: str) -> list[str]:
    """Command lines of live processes started for this test session (by its AMQP_URL) whose
    command line or working folder contains `contains` and whose environment holds every `env`
    item."""
    wanted = {"AMQP_URL": os.environ["AMQP_URL"], **env}
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "status"]):
        try:
            if proc.pid == os.getpid() or proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            cmdline = " ".join(proc.info["cmdline"] or [])
            if "pytest" in cmdline:
                continue
            environ = proc.environ()
            if any(environ.get(key) != value for key, value in wanted.items()):
                continue
            # A package name ("celery_basics.lesson21_flask") matches the lesson's folder too: the
            # harness runs roles there.
            if contains and contains not in cmdline and contains.replace(".", os.sep) not in proc.cwd():
                continue
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        found.append(cmdline)
    return found


def sandbox_processes() -> list[str]:
    """Every live process this test session started (none should outlive its test)."""
    return lesson_processes()


def gone(pid: int, timeout: float = 5.0) -> bool:
    """True once the process is dead or a zombie (a SIGKILL takes a moment to land)."""
    def dead():
        try:
            return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    return eventually(dead, timeout=timeout, interval=0.05)


# Several test sessions may run at once: CI runs the 3.10 and the 4.x legs side by side, each in two
# pytest-xdist workers, and each worker is a session. Each has its own vhost and Redis database,
# but some lessons own fixed things: ports of their broker nodes, Flower's, Flask's and Django's
# ports, files written in the lesson's folder (a beat schedule, a Java build). A session holds the
# lesson's lock while it runs that lesson's tests or exercise checks, so another session waits for
# it (or, checking exercises, takes another lesson first) instead of colliding.
LOCKS = Path(os.environ.get("COURSE_TEST_LOCKS", "/tmp/course-test-locks"))


@contextlib.contextmanager
def lesson_lock(number: int, wait: bool = True):
    """Hold lesson `number`'s lock, shared by every test session on this machine (flock); yields
    True. With wait=False it yields False at once, holding nothing, when another session has it."""
    LOCKS.mkdir(parents=True, exist_ok=True)
    with open(LOCKS / f"lesson{number:02d}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch_role(number: int, role: str, *args: str, env: dict | None = None,
                timeout: float = 30) -> subprocess.CompletedProcess:
    """Run a role to its end through the harness's launcher (as `make lesson-N ROLE=x` does, but
    without its check that the services are up); output merged into .stdout."""
    lesson = catalog.get(number)
    command = lesson.command(role)
    argv = launch_argv(*(command or [lesson.role_module(role)]), *args)
    extra = celery_env(env) if command and command[0] == "celery" else (env or {})
    return subprocess.run(argv, cwd=lesson.folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, env={**os.environ, **extra})


def learner_modules(lesson) -> list[Path]:
    """The lesson's files a learner copies: every .py file of its folder but demo.py and the
    package's __init__.py (roles, tasks.py, configuration modules, proj/, orders/, ...)."""
    return sorted(path for path in lesson.folder.rglob("*.py")
                  if path.name != "demo.py" and path != lesson.folder / "__init__.py"
                  and "node_modules" not in path.parts and "__pycache__" not in path.parts)
