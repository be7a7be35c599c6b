"""Child processes for demos and tests: output lines, readiness waits, and a stop that leaves no
orphan (SIGINT, or SIGTERM for Celery, first; then SIGKILL for the whole process group)."""

from __future__ import annotations

import ctypes
import functools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from lessons import errors
from lessons.console import emit, prefixed
from lessons.waiting import ReadinessTimeout

ROOT = Path(__file__).resolve().parent.parent


class RoleFailed(errors.CourseError):
    pass


def _child_setup(hold_sigint: bool = False) -> None:  # pragma: no cover - runs in the child
    # Die with the runner, even if it is killed with SIGKILL and cannot clean up.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if hold_sigint:
        # The launcher takes Ctrl+C back once its guard is in place; a Ctrl+C before that (while
        # Python starts) would otherwise print a KeyboardInterrupt traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def launch_argv(target: str, *args: str) -> list[str]:
    """The command line that runs a role module or a program through the harness's launcher
    (a sentence instead of a traceback, a quiet Ctrl+C): see lessons/launch.py."""
    return [sys.executable, "-m", "lessons.launch", target, *map(str, args)]


def end_processes(processes: list, grace: float = 5.0) -> None:
    """SIGTERM to each psutil.Process (a Celery worker then shuts down warm), SIGKILL to those still
    there after `grace` seconds, and wait until they are gone."""
    import psutil

    for process in processes:
        try:
            process.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(processes, timeout=grace)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=5)


class Process:
    """One child process: its output lines, readiness waits and a clean stop."""

    def __init__(self, name: str, argv: Sequence[str], *, colour: str | None, env: dict | None,
                 stop_signal: int = signal.SIGINT, cwd: Path | str | None = None, echo: bool = True):
        """`argv` runs in `cwd` (the repository by default). A launcher command line
        (launch_argv) starts with Ctrl+C held until the launcher's guard is in place."""
        self.name = name
        self.argv = list(argv)
        self.stop_signal = stop_signal
        self._interrupted = False
        self.lines: list[str] = []
        self.times: list[float] = []  # time.monotonic() when each line arrived
        self._changed = threading.Condition()
        self._colour = colour
        self._echo = echo
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.popen = subprocess.Popen(
            self.argv, cwd=cwd or ROOT, env=full_env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
            errors="replace", start_new_session=True,
            preexec_fn=functools.partial(_child_setup, self.argv[1:3] == ["-m", "lessons.launch"]),
        )
        self.started = time.monotonic()
        self._reader = threading.Thread(target=self._read, name=f"read-{name}", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for raw in self.popen.stdout:
            line = raw.rstrip("\n")
            with self._changed:
                self.lines.append(line)
                self.times.append(time.monotonic())
                self._changed.notify_all()
            if self._echo:
                emit(prefixed(self.name, line, self._colour))
        self.popen.wait()
        with self._changed:
            self._changed.notify_all()

    # -- looking at the output ----------------------------------------------------------------
    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def matches(self, pattern: str) -> list[re.Match]:
        regex = re.compile(pattern)
        with self._changed:
            return [m for m in map(regex.search, self.lines) if m]

    def when(self, pattern: str, which: int = 0) -> float | None:
        """time.monotonic() of the `which`-th line matching `pattern` (-1: the last), or None."""
        regex = re.compile(pattern)
        with self._changed:
            stamps = [t for line, t in zip(self.lines, self.times, strict=True) if regex.search(line)]
        try:
            return stamps[which]
        except IndexError:
            return None

    def count(self, pattern: str) -> int:
        return len(self.matches(pattern))

    @contextmanager
    def quiet(self):
        """Record but do not echo this process's lines for a while (e.g. a flood of log lines)."""
        echo, self._echo = self._echo, False
        try:
            yield self
        finally:
            self._echo = echo

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def tail(self, n: int = 8) -> str:
        """Its last `n` lines, indented, for an error message."""
        with self._changed:
            return self._tail_locked(n)


    def wait_for(self, pattern: str, timeout: float = 15.0, count: int = 1) -> re.Match:
        """Wait until `count` lines match `pattern`; return the last match.

        Raises ReadinessTimeout naming the role, the pattern and its last lines when the deadline
        passes or the process exits first.
        """
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        times = f" {count} times" if count > 1 else ""
        with self._changed:
            while True:
                found = [m for m in map(regex.search, self.lines) if m]
                if len(found) >= count:
                    return found[count - 1]
                if self.popen.poll() is not None and not self._reader.is_alive():
                    raise ReadinessTimeout(
                        f"{self.name} exited (code {self.popen.returncode}) before printing "
                        f"{pattern!r}{times}. Its last lines:\n{self._tail_locked()}"
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ReadinessTimeout(
                        f"{self.name} did not print {pattern!r}{times} within {timeout:g} s. "
                        f"Its last lines:\n{self._tail_locked()}"
                    )
                self._changed.wait(min(left, 0.5))

    def _tail_locked(self, n: int = 8) -> str:
        return "\n".join(f"    {line}" for line in self.lines[-n:]) or "    (no output)"

    def wait(self, timeout: float = 30.0) -> int:
        """Wait for the process to end by itself; return its exit code."""
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ReadinessTimeout(
                f"{self.name} was still running after {timeout:g} s. Its last lines:\n{self.tail()}"
            ) from None
        self._reader.join(timeout=5)
        return code

    # -- stopping -------------------------------------------------------------------------------
    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.popen.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def interrupt(self) -> None:
        """Ask the process to stop, as Ctrl+C (or SIGTERM for Celery) would.

        Sent once: a second SIGINT would land in the role's own clean-exit code and print a
        traceback (stop_all() interrupts every process, then stop() asks again).
        """
        if self.running and not self._interrupted:
            self._interrupted = True
            try:
                self.popen.send_signal(self.stop_signal)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL the process and everything it started (a crash, as the lessons use it)."""
        self._signal_group(signal.SIGKILL)
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        self._reader.join(timeout=2)

    def stop(self, grace: float = 8.0) -> int | None:
        """Interrupt, wait up to `grace` seconds, then kill what is left of the process group."""
        self.interrupt()
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        self._signal_group(signal.SIGKILL)  # also reaps helpers the role left behind
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        self._reader.join(timeout=2)
        return self.popen.returncode
