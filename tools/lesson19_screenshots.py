"""Lesson 19's README pictures of Flower: its tasks and workers pages in headless Chromium.

    python -m tools.lesson19_screenshots --out /tmp/lesson19_charts      (Flower must be running)

The pages are opened by lessons/flower_pages.py, which the lesson's demo and test use too.
"""

import argparse
import tempfile
from pathlib import Path

from lessons.flower_pages import capture
from lessons.launch import prepare, run_guarded

DEFAULT_FOLDER = Path(tempfile.gettempdir()) / "lesson19_charts"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Screenshot Flower's tasks and workers pages.")
    parser.add_argument("--out", type=Path, default=DEFAULT_FOLDER, help="folder for the PNG files")
    args = parser.parse_args(argv)

    for path in capture(args.out):
        print(f" [x] Wrote {path}")


if __name__ == "__main__":
    prepare()
    run_guarded(main)
