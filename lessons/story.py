"""A demo is a `Story`: it starts a lesson's roles as child processes, waits for their readiness
lines (never a bare sleep), shows their output interleaved behind a role prefix, checks the facts
the lesson claims, and always stops every child it started, also on Ctrl+C or a failed check.

    def main(argv=None) -> int:
        with Story(2, argv) as story:                      # lesson 2: its title from the catalog
            worker = story.start("worker-1", "rabbitmq_basics.lesson02_work_queues.worker")
            story.run("new_task", "rabbitmq_basics.lesson02_work_queues.new_task", "hello.")
            worker.wait_for(r"\\[x\\] Done")
            story.check(worker.count(r"\\[x\\] Done") == 1, "worker-1 did the task")
        return story.exit_code

Roles start through the launcher (lessons/launch.py) in the lesson's folder, as a learner runs
them there; `start_role` starts a role of the catalog by its name, a command role included.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from lessons import catalog, errors
from lessons.broker import celery_env
from lessons.console import COLOURS, emit, print_table, use_colour
from lessons.processes import ROOT, Process, RoleFailed, launch_argv
from lessons.waiting import ReadinessTimeout, eventually, wait_until  # noqa: F401 (demos import them from here)


class Interrupted(BaseException):
    """SIGTERM reached the runner; treated like Ctrl+C so every child is stopped."""


def demo_arguments(description: str, argv: Sequence[str] | None,
                   options: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.Namespace:
    """The demo's options: --keep for every demo, and those `options(parser)` adds, so that
    `make lesson-N ARGS=--help` lists them all."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--keep", action="store_true",
                        help="leave the queues and exchanges the demo made, to look at them afterwards")
    if options is not None:
        options(parser)
    return parser.parse_args(argv)


class Story:
    """A demo: child processes, narration and checked facts. Use it as a context manager.

    `lesson` is the lesson's number (its heading comes from the catalog, and roles run in its
    folder) or, for a demo not tied to a lesson, a title. A demo with options of its own passes
    `options`, a function that adds them to the parser; their values are in `story.options`.
    """

    def __init__(self, lesson: int | str, argv: Sequence[str] | None = None,
                 options: Callable[[argparse.ArgumentParser], None] | None = None):
        if isinstance(lesson, int):
            self.lesson: catalog.Lesson | None = catalog.get(lesson)
            self.title = self.lesson.heading
            self.folder: Path = self.lesson.folder
        else:
            self.lesson, self.title, self.folder = None, lesson, ROOT
        self.options = demo_arguments(self.title, argv, options)
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
        # A second Ctrl+C (an impatient learner, or a test runner stopping) must not cut the
        # cleanup short: nodes of the lesson's own would outlive the demo.
        for sig in self._old_handlers:
            signal.signal(sig, self._while_stopping)
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
    def _while_stopping(signum, frame):
        # os.write: print() may be in the middle of a write of its own here.
        os.write(1, b"(Still stopping everything this demo started: a moment.)\n")

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

    stop_grace = 8.0  # seconds each child gets to stop after its signal, before the kill

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.interrupt()
        for process in reversed(self.processes):
            process.stop(grace=self.stop_grace)

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
        """Start role `module` (dotted) with `args` through the launcher, as `python ROLE.py args`
        in its folder; wait for its `ready` line if given."""
        return self.start_command(name, launch_argv(module, *args), ready=ready, timeout=timeout,
                                  env=env, echo=echo)

    def start_role(self, name: str, role: str, *args: str, ready: str | None = None,
                   timeout: float = 15.0, env: dict | None = None, echo: bool = True) -> Process:
        """Start a role of this story's lesson by its catalog name, as `make lesson-N ROLE=role`
        does: a module role, or a command role such as `celery -A tasks worker`."""
        assert self.lesson is not None, "start_role needs Story(lesson number)"
        command = self.lesson.command(role)
        if command is None:
            return self.start(name, self.lesson.role_module(role), *args, ready=ready,
                              timeout=timeout, env=env, echo=echo)
        celery = command[0] == "celery"
        return self.start_command(name, launch_argv(*command, *args), ready=ready, timeout=timeout,
                                  env=celery_env(env) if celery else env, echo=echo,
                                  stop_signal=signal.SIGTERM if celery else signal.SIGINT)

    def start_command(self, name: str, argv: Sequence[str], *, ready: str | None = None,
                      timeout: float = 15.0, env: dict | None = None,
                      stop_signal: int = signal.SIGINT, echo: bool = True,
                      cwd: Path | str | None = None) -> Process:
        """Start any command line (in the lesson's folder unless `cwd` says otherwise)."""
        colour = next(self._colours) if self._colour else None
        # A Ctrl+C that lands while the child is being created waits until it is tracked, so
        # stop_all() can never miss it.
        self._spawning = True
        try:
            process = Process(name, argv, colour=colour, env=env, stop_signal=stop_signal,
                              echo=echo, cwd=cwd or self.folder)
            self.processes.append(process)
        finally:
            self._spawning = False
        if self._pending_signal is not None:
            signum, self._pending_signal = self._pending_signal, None
            self._raise_for(signum)
        if ready:
            process.wait_for(ready, timeout=timeout)
        return process

    def start_worker(self, name: str, app: str, *args: str, ready: str | None = r"\bready\.",
                     timeout: float = 30.0, env: dict | None = None, echo: bool = True,
                     hostname: str | None = None) -> Process:
        """Start a Celery worker (`celery -A app worker`, in the story's folder) named
        `hostname@%h` (`name@%h` by default) and wait until it is ready (unless `ready` is None).

        It is stopped with SIGTERM, Celery's warm shutdown, and killed if that takes too long.
        """
        argv = [sys.executable, "-m", "celery", "-A", app, "worker", "--hostname", f"{hostname or name}@%h",
                "--loglevel", "INFO", *map(str, args)]
        return self.start_command(name, argv, ready=ready, timeout=timeout, env=celery_env(env),
                                  stop_signal=signal.SIGTERM, echo=echo)

    def run(self, name: str, module: str, *args: str, timeout: float = 30.0,
            env: dict | None = None, expect_code: int | None = 0, echo: bool = True) -> Process:
        """Run role `module` with `args` to its end; by default it must exit 0."""
        process = self.start(name, module, *args, env=env, echo=echo)
        code = process.wait(timeout=timeout)
        if expect_code is not None and code != expect_code:
            raise RoleFailed(f"{name} exited with code {code} (expected {expect_code}). Its last lines:\n{process.tail()}")
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
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(str(column))
        for row in rows:
            table.add_row(*(str(cell) for cell in row))
        print_table(table, self._colour)
