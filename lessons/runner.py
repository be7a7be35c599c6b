"""The process runner behind every demo.

A demo is a `Story`: it starts a lesson's roles as child processes, waits for their readiness
lines (never a bare sleep), shows their output interleaved behind a role prefix, checks the facts
the lesson claims, and always stops every child it started: SIGINT (or SIGTERM for Celery) first,
then SIGKILL, also on Ctrl+C or when a check fails.

    def main(argv=None) -> int:
        with Story("Work queues", argv) as story:
            worker = story.start("worker-1", "rabbitmq_basics.lesson02_work_queues.worker")
            story.run("new_task", "rabbitmq_basics.lesson02_work_queues.new_task", "hello.")
            worker.wait_for(r"\\[x\\] Done")
            story.check(worker.count(r"\\[x\\] Done") == 1, "worker-1 did the task")
        return story.exit_code
"""

from __future__ import annotations

import argparse
import ctypes
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

from lessons import errors

ROOT = Path(__file__).resolve().parent.parent
COLOURS = ("36", "33", "35", "32", "34", "91", "96", "93")
_print_lock = threading.Lock()


def use_colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def emit(text: str = "") -> None:
    """Print one line for the learner; safe from any thread."""
    with _print_lock:
        print(text, flush=True)


class ReadinessTimeout(errors.CourseError):
    pass


class RoleFailed(errors.CourseError):
    pass


def _child_setup() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Die with the runner, even if it is killed with SIGKILL and cannot clean up.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Process:
    """One child process: its output lines, readiness waits and a clean stop."""

    def __init__(self, name: str, argv: Sequence[str], *, colour: str | None, env: dict | None,
                 stop_signal: int = signal.SIGINT, cwd: Path | None = None, echo: bool = True):
        self.name = name
        self.argv = list(argv)
        self.stop_signal = stop_signal
        self._interrupted = False
        self.lines: list[str] = []
        self.times: list[float] = []  # time.monotonic() when each line arrived
        self._changed = threading.Condition()
        self._prefix = f"\033[{colour}m{name:>10} |\033[0m " if colour else f"{name:>10} | "
        self._echo = echo
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.popen = subprocess.Popen(
            self.argv, cwd=cwd or ROOT, env=full_env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
            errors="replace", start_new_session=True, preexec_fn=_child_setup,
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
                emit(self._prefix + line)
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

    def _tail(self, n: int = 8) -> str:
        with self._changed:
            return self._tail_locked(n)

    def wait_for(self, pattern: str, timeout: float = 15.0, count: int = 1) -> re.Match:
        """Wait until `count` lines match `pattern`; return the last match.

        Raises ReadinessTimeout naming the role, the pattern and its last lines when the deadline
        passes or the process exits first.
        """
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for m in map(regex.search, self.lines) if m]
                if len(found) >= count:
                    return found[count - 1]
                if self.popen.poll() is not None and not self._reader.is_alive():
                    raise ReadinessTimeout(
                        f"{self.name} exited (code {self.popen.returncode}) before printing "
                        f"{pattern!r}{f' {count} times' if count > 1 else ''}. Its last lines:\n{self._tail_locked()}"
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ReadinessTimeout(
                        f"{self.name} did not print {pattern!r}{f' {count} times' if count > 1 else ''} "
                        f"within {timeout:g} s. Its last lines:\n{self._tail_locked()}"
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
                f"{self.name} was still running after {timeout:g} s. Its last lines:\n{self._tail()}"
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


class Interrupted(BaseException):
    """SIGTERM reached the runner; treated like Ctrl+C so every child is stopped."""


def demo_arguments(description: str, argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--keep", action="store_true",
                        help="leave the queues and exchanges the demo made, to look at them afterwards")
    return parser.parse_args(argv)


class Story:
    """A demo: child processes, narration and checked facts. Use it as a context manager."""

    def __init__(self, title: str, argv: Sequence[str] | None = None):
        self.title = title
        self.options = demo_arguments(title, argv)
        self.processes: list[Process] = []
        self.facts: list[tuple[bool, str]] = []
        self.exit_code = 0
        self._cleanups: list[tuple[Callable[[], None], bool]] = []
        self._colours = itertools.cycle(COLOURS)
        self._colour = use_colour()
        self._old_handlers: dict[int, object] = {}
        self._spawning = False  # while True, Ctrl+C waits until the new child is tracked
        self._pending_signal: int | None = None

    # -- context ------------------------------------------------------------------------------------
    def __enter__(self) -> Story:
        self.started = time.monotonic()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old_handlers[sig] = signal.signal(sig, self._on_signal)
        self.heading(self.title)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        handled = True
        if exc_type is None:
            pass
        elif issubclass(exc_type, KeyboardInterrupt | Interrupted):
            emit("\nInterrupted. Stopping everything this demo started ...")
            self.exit_code = 130
        elif (text := errors.explain(exc)) is not None:
            emit(f"\nThe demo stopped: {text}")
            self.exit_code = 1
        else:
            handled = False  # a real bug: show its traceback after cleaning up
            self.exit_code = 1
        self.stop_all()
        self._run_cleanups()
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        if exc_type is None:
            self._summary()
        return handled

    def _on_signal(self, signum, frame):
        if self._spawning:
            self._pending_signal = signum
            return
        self._raise_for(signum)

    @staticmethod
    def _raise_for(signum: int):
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Interrupted

    def _summary(self) -> None:
        elapsed = time.monotonic() - self.started
        failed = [fact for ok, fact in self.facts if not ok]
        if not self.facts:
            emit(f"\nThe demo checked no facts, which is a defect in the demo. ({elapsed:.1f} s)")
            self.exit_code = 1
        elif failed:
            emit(f"\n{len(failed)} of {len(self.facts)} facts did NOT hold ({elapsed:.1f} s):")
            for fact in failed:
                emit(f"  - {fact}")
            self.exit_code = 1
        else:
            emit(f"\nAll {len(self.facts)} facts hold. ({elapsed:.1f} s)")

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.interrupt()
        for process in reversed(self.processes):
            process.stop(grace=8.0)

    def start_fresh(self, queues: Sequence[str] = (), exchanges: Sequence[str] = ()) -> None:
        """Remove what an earlier (or interrupted) run left of these queues and exchanges, and
        remove them again when the demo ends (unless --keep)."""
        from lessons import broker

        left = broker.delete_queues(*queues) + broker.delete_exchanges(*exchanges)
        if left:
            self.say(f"(Starting fresh: removed {', '.join(repr(n) for n in left)}, left by an earlier run.)")
        self.cleanup(lambda: (broker.delete_queues(*queues), broker.delete_exchanges(*exchanges)))

    def cleanup(self, action: Callable[[], None], *, always: bool = False) -> None:
        """Run `action` when the demo ends (skipped with --keep unless `always`)."""
        self._cleanups.append((action, always))

    def _run_cleanups(self) -> None:
        for action, always in reversed(self._cleanups):
            if self.options.keep and not always:
                continue
            try:
                action()
            except Exception as exc:  # cleanup must not hide the demo's own outcome
                emit(f"(cleanup: {errors.explain(exc) or exc})")
        if self.options.keep and any(not always for _, always in self._cleanups):
            emit("(--keep: the demo's queues and exchanges are left for you to look at)")

    # -- children -------------------------------------------------------------------------------------
    def start(self, name: str, module: str, *args: str, ready: str | None = None,
              timeout: float = 15.0, env: dict | None = None, echo: bool = True) -> Process:
        """Start `python -m module args` as role `name`; wait for its `ready` line if given."""
        return self.start_command(name, [sys.executable, "-m", module, *map(str, args)],
                                  ready=ready, timeout=timeout, env=env, echo=echo)

    def start_command(self, name: str, argv: Sequence[str], *, ready: str | None = None,
                      timeout: float = 15.0, env: dict | None = None,
                      stop_signal: int = signal.SIGINT, echo: bool = True) -> Process:
        colour = next(self._colours) if self._colour else None
        # A Ctrl+C that lands while the child is being created waits until it is tracked, so
        # stop_all() can never miss it.
        self._spawning = True
        try:
            process = Process(name, argv, colour=colour, env=env, stop_signal=stop_signal, echo=echo)
            self.processes.append(process)
        finally:
            self._spawning = False
        if self._pending_signal is not None:
            signum, self._pending_signal = self._pending_signal, None
            self._raise_for(signum)
        if ready:
            process.wait_for(ready, timeout=timeout)
        return process

    def start_worker(self, name: str, app: str, *args: str, ready: str = r"\bready\.",
                     timeout: float = 30.0, env: dict | None = None, echo: bool = True) -> Process:
        """Start a Celery worker (`celery -A app worker`) named `name@%h` and wait until it is ready.

        It is stopped with SIGTERM, Celery's warm shutdown, and killed if that takes too long.
        """
        argv = [sys.executable, "-m", "celery", "-A", app, "worker", "--hostname", f"{name}@%h",
                "--loglevel", "INFO", *map(str, args)]
        return self.start_command(name, argv, ready=ready, timeout=timeout, env=celery_env(env),
                                  stop_signal=signal.SIGTERM, echo=echo)

    def run(self, name: str, module: str, *args: str, timeout: float = 30.0,
            env: dict | None = None, expect_code: int | None = 0, echo: bool = True) -> Process:
        """Run `python -m module args` to its end; by default it must exit 0."""
        process = self.start(name, module, *args, env=env, echo=echo)
        code = process.wait(timeout=timeout)
        if expect_code is not None and code != expect_code:
            raise RoleFailed(f"{name} exited with code {code} (expected {expect_code}). Its last lines:\n{process._tail()}")
        return process

    # -- narration and facts ------------------------------------------------------------------------
    def heading(self, text: str) -> None:
        bar = "=" * min(len(text) + 4, 78)
        emit(f"\n{bar}\n  {text}\n{bar}")

    def section(self, text: str) -> None:
        emit(f"\n--- {text} ---")

    def say(self, text: str) -> None:
        emit(text)

    def check(self, condition: bool, fact: str) -> bool:
        """Record a fact the learner should have seen; it fails the demo when it does not hold."""
        ok = bool(condition)
        self.facts.append((ok, fact))
        emit(f"  [{'ok' if ok else 'FAILED'}] {fact}")
        return ok

    def table(self, title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(str(column))
        for row in rows:
            table.add_row(*(str(cell) for cell in row))
        with _print_lock:
            Console(no_color=not self._colour, soft_wrap=True).print(table)
            sys.stdout.flush()


def celery_env(extra: dict | None = None) -> dict:
    env = dict(extra or {})
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # CI and containers run as root; Celery then warns on every start. The lessons use JSON
        # only (no pickle), which is what that warning guards against, so silence it there.
        # Match the message: a category such as celery.exceptions.SecurityWarning cannot be
        # imported when Python reads PYTHONWARNINGS at startup ("Invalid -W option ignored").
        env.setdefault("PYTHONWARNINGS", "ignore:You're running the worker with superuser privileges")
    return env


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.1,
               what: str = "the condition") -> object:
    """Poll `predicate` until it returns something truthy; raise ReadinessTimeout at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise ReadinessTimeout(f"Gave up waiting for {what} after {timeout:g} s.")
        time.sleep(interval)


def eventually(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.1) -> bool:
    """True as soon as `predicate` holds, False if it still does not at the deadline (for checks)."""
    try:
        wait_until(predicate, timeout=timeout, interval=interval)
    except ReadinessTimeout:
        return False
    return True
