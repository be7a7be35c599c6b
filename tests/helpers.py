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
