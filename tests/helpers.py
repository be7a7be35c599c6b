"""Helpers the lesson tests share: run a lesson as a learner would, and judge its output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_lesson(number: int, *args: str, timeout: float = 90, env: dict | None = None,
               role: str | None = None) -> subprocess.CompletedProcess:
    """Run `python -m lessons run N [--role R] -- args` as a learner would; output merged into .stdout."""
    argv = [sys.executable, "-m", "lessons", "run", str(number)]
    if role:
        argv += ["--role", role]
    if args:
        argv += ["--", *args]
    return subprocess.run(argv, cwd=ROOT, capture_output=False, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def assert_clean_run(result: subprocess.CompletedProcess) -> str:
    """The demo exited 0, every fact held, and nothing printed a traceback."""
    out = result.stdout
    assert result.returncode == 0, out
    assert "Traceback" not in out, out
    assert "[FAILED]" not in out, out
    assert "facts hold." in out, out
    return out


def lesson_processes(contains: str = "", **env: str) -> list[str]:
    """Command lines of live processes started for this test session (by its AMQP_URL) whose
    command line contains `contains` and whose environment holds every `env` item."""
    markers = [f"{k}={v}".encode() for k, v in {"AMQP_URL": os.environ["AMQP_URL"], **env}.items()]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except (OSError, IndexError):
            continue
        if (state != "Z" and contains in cmdline and "pytest" not in cmdline
                and all(marker in environ for marker in markers)):
            found.append(cmdline)
    return found


def sandbox_processes() -> list[str]:
    """Every live process this test session started (none should outlive its test)."""
    return lesson_processes()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_lesson(number: int, *args: str, env: dict | None = None) -> subprocess.Popen:
    """Start `python -m lessons run N` in the background, output in .stdout (text)."""
    argv = [sys.executable, "-m", "lessons", "run", str(number)]
    if args:
        argv += ["--", *args]
    return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})


def read_until(process: subprocess.Popen, text: str, timeout: float = 30) -> str:
    """Read the process's output until a line contains `text`; return what was read."""
    import selectors
    import time

    seen = []
    deadline = time.monotonic() + timeout
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
            break
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"{text!r} did not appear within {timeout} s; output so far:\n{''.join(seen)}")
