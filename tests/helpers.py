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


def sandbox_processes() -> list[tuple[int, str]]:
    """(pid, command line) of live processes started for this test session (by its AMQP_URL)."""
    marker = ("AMQP_URL=" + os.environ["AMQP_URL"]).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue
        if marker in environ.split(b"\0") and state != "Z" and "pytest" not in cmdline:
            found.append((int(entry.name), cmdline))
    return found


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
