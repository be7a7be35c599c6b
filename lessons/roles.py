"""What every role file's last line calls: `run_role(main)`.

It keeps role files free of plumbing while giving the learner what they expect from a
program: output that shows up at once even when piped, a clean exit on Ctrl+C, and a
sentence instead of a traceback for expected trouble (broker down, wrong password, ...).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

from lessons import errors


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def run_role(main: Callable[[], int | None]) -> None:
    """Run a role's main() and exit with its code."""
    sys.stdout.reconfigure(line_buffering=True)
    # A program started in the background by a non-interactive shell inherits "ignore SIGINT";
    # take Ctrl+C back so the runner (and the learner) can always stop a role.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        code = main()
    except KeyboardInterrupt:
        print(" [x] Interrupted, bye.", flush=True)
        sys.stderr.flush()
        # Leave at once: a Celery client stopped inside result.get() would otherwise print an
        # "Exception ignored in AsyncResult.__del__" traceback while Python shuts down.
        os._exit(0)
    except Exception as exc:
        text = errors.explain(exc)
        if text is None:
            raise
        print(text, file=sys.stderr, flush=True)
        code = 1
    sys.exit(code or 0)
