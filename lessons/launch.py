"""The launcher: how the harness starts a role, adding from outside what a learner's own program
would not do (role files stay free of the course's plumbing).

    python -m lessons.launch MODULE [ARGS...]     a role module of a lesson, e.g.
                                                  rabbitmq_basics.lesson01_hello_world.send "Hi"
    python -m lessons.launch PROGRAM [ARGS...]    a program of the course's environment, e.g.
                                                  celery -A tasks worker --loglevel INFO

A role module runs as `python send.py ARGS` would: sys.argv is [its file, ARGS...] and its
folder comes first on sys.path, so it imports its neighbours (tasks.py, ...) by their plain
names. The launcher then calls the module's main(). A PROGRAM is a console script of the
environment (`celery`), run in this process through its entry point.

What the launcher adds: line-buffered output (shows up at once even when piped), Ctrl+C taken back
when a non-interactive shell started the role with SIGINT ignored, SIGTERM handled as Ctrl+C,
" [x] Interrupted, bye." instead of a KeyboardInterrupt traceback, one sentence instead of a
traceback for expected trouble (broker down, wrong password, a port taken: lessons.errors), and
a quiet end when the reader of the output goes away (`... | head`).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

USAGE = "usage: python -m lessons.launch MODULE|PROGRAM [ARGS...]"


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def _quiet_exit(code: int) -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    sys.stderr.flush()
    os._exit(code)


def run_guarded(main: Callable[[], int | None]) -> None:
    """Call main() with the course's manners around it; exit with its code."""
    try:
        code = main()
    except KeyboardInterrupt:
        try:
            print(" [x] Interrupted, bye.", flush=True)
        except BrokenPipeError:
            pass
        # Leave at once: a Celery client stopped inside result.get() would otherwise print an
        # "Exception ignored in AsyncResult.__del__" traceback while Python shuts down.
        _quiet_exit(0)
    except BrokenPipeError:
        from lessons.console import silence_stdout

        silence_stdout()  # the reader went away (`| head`): stop quietly
        _quiet_exit(0)
    except Exception as exc:
        from lessons import errors

        text = errors.explain(exc)
        if text is None:
            raise  # a real bug: its traceback
        print(text, file=sys.stderr, flush=True)
        code = 1
    sys.exit(code or 0)


def prepare() -> None:
    """Line buffering, and Ctrl+C and SIGTERM as KeyboardInterrupt."""
    sys.stdout.reconfigure(line_buffering=True)
    # A program started in the background by a non-interactive shell inherits "ignore SIGINT";
    # take Ctrl+C back so the runner (and the learner) can always stop a role.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)


def role_file(module: str) -> Path | None:
    """The file of a role module (its parent packages are imported to find it), or None."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec is not None and spec.origin else None


def role_main(module: str, args: list[str]) -> Callable[[], int | None]:
    """main of a role module, made ready to run as `python FILE ARGS` would run it."""
    path = role_file(module)
    if path is None:
        raise SystemExit(f"There is no module '{module}' to launch. {USAGE}")
    sys.argv = [str(path), *args]
    sys.path.insert(0, str(path.parent))

    def main():
        return importlib.import_module(module).main()

    return main


def program_main(name: str, args: list[str]) -> Callable[[], int | None] | None:
    """The entry point of console script `name` (e.g. celery), or None if there is none."""
    from importlib.metadata import entry_points

    found = entry_points(group="console_scripts", name=name)
    if not found:
        return None
    entry = next(iter(found))
    sys.argv = [name, *args]
    # Programs that name themselves after how they were run (click: "python -m lessons.launch")
    # see what the learner typed instead: `celery`.
    sys.modules["__main__"].__package__ = None
    return lambda: entry.load()()


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(USAGE, file=sys.stderr)
        sys.exit(2)
    target, args = sys.argv[1], sys.argv[2:]
    prepare()
    if "." in target:
        run = role_main(target, args)
    elif (run := program_main(target, args)) is None:
        raise SystemExit(f"There is no program '{target}' in this environment. {USAGE}")
    run_guarded(run)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl+C before the role's own guard was in place
        _quiet_exit(0)
