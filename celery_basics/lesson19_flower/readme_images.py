"""Lesson 19: remake the README's pictures (charts and Flower screenshots) with the lesson itself.

    python -m celery_basics.lesson19_flower.readme_images

Runs the demo with --charts and --screenshots pointed at this folder's images/, so the pictures
in README.md come from a real run of this lesson, not from a drawing program.
"""

import sys
from pathlib import Path

from celery_basics.lesson19_flower import demo

IMAGES = Path(__file__).resolve().parent / "images"


def main(argv=None):
    return demo.main(["--charts", str(IMAGES), "--screenshots", str(IMAGES), *(argv or [])])


if __name__ == "__main__":
    sys.exit(main())
