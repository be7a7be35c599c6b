"""Lesson 19: remake the README's pictures (charts and Flower screenshots) with the lesson itself.

    python -m tools.lesson19_readme_images            (or: make readme-images)

Runs the demo with --charts and --screenshots pointed at this folder's images/, so the pictures
in README.md come from a real run of this lesson, not from a drawing program.
"""

import sys

from lessons import catalog

LESSON = catalog.get(19)
IMAGES = LESSON.folder / "images"


def main(argv=None):
    sys.path.insert(0, str(LESSON.folder))  # as `python -m lessons run 19` does
    from celery_basics.lesson19_flower import demo

    return demo.main(["--charts", str(IMAGES), "--screenshots", str(IMAGES), *(argv or [])])


if __name__ == "__main__":
    sys.exit(main())
