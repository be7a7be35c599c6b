"""Run a learner's Python file as `python FILE ARGS` would, but report a crash in two lines.

    python -m lessons.exercises.learner worker.py --seconds-per-dot 0.1

The file runs as the main module, with sys.argv = [FILE, ARGS...] and its folder first on
sys.path, as `python worker.py` runs it. When it raises, the report is the learner's own line
(the deepest frame in the exercise's folder) and the exception, not a library's traceback: the
checker turns that into a sentence, and the learner finds the line at once.
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback


def _own_frames(exc: BaseException, folder: str) -> list[traceback.FrameSummary]:
    return [frame for frame in traceback.extract_tb(exc.__traceback__)
            if os.path.abspath(frame.filename).startswith(folder + os.sep)]


def main() -> None:
    if len(sys.argv) < 2:
        print("usage: python -m lessons.exercises.learner FILE [ARGS...]", file=sys.stderr)
        sys.exit(2)
    path = os.path.abspath(sys.argv[1])
    folder = os.path.dirname(path)
    sys.argv = sys.argv[1:]
    sys.path[0] = folder
    try:
        runpy.run_path(path, run_name="__main__")
    except KeyboardInterrupt:
        sys.exit(130)
    except SyntaxError as exc:
        print(f'  File "{exc.filename}", line {exc.lineno}\n    {(exc.text or "").strip()}', file=sys.stderr)
        print(f"{type(exc).__name__}: {exc.msg}", file=sys.stderr, flush=True)
        sys.exit(1)
    except Exception as exc:
        frames = _own_frames(exc, folder)
        if frames:
            frame = frames[-1]
            print(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n    {frame.line}',
                  file=sys.stderr)
        print(traceback.format_exception_only(type(exc), exc)[-1].strip(), file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
