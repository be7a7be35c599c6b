"""Exercises: a file with a gap the learner fills, a checker that runs it against the real broker.

Where things live (one folder per lesson, named as the lesson's package folder):

    exercises/lesson02_work_queues/            README.md and the starter files: the one copy, which
                                               the learner edits in place (the committed version is
                                               the pristine starter: lessons/exercises/pristine.py)
    lessons/exercises/lesson02_work_queues/    the harness's side of the same exercise(s):
        __init__.py                            EXERCISES = (Exercise(...), ...): title, files,
                                               hints and the check() that judges the learner's run
        solution/                              the reference solution (the same file names)

Exercises are found by that convention: for every lesson of the catalog (lessons/catalog.py, the
one list of lessons), the package lessons.exercises.<lesson folder name> holds its exercises, if
it exists. Nothing lists the lessons a second time.

The solutions sit inside the harness, not beside the starters: a learner who opens exercises/ sees
only the task; the checker, the hints and the solution of one exercise sit together, so adding an
exercise touches two folders (see exercises/README.md, "Adding an exercise").
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from lessons import catalog

HARNESS = Path(__file__).resolve().parent
# Where the learner's copies live; COURSE_EXERCISES_DIR moves them (the tests use a copy).
LEARNER_ROOT = Path(os.environ.get("COURSE_EXERCISES_DIR") or catalog.ROOT / "exercises")


@dataclass(frozen=True)
class Exercise:
    """One exercise. A lesson's package lists them in EXERCISES; discovery fills in `lesson`."""

    name: str  # short and unique within the lesson, e.g. "fair-worker"
    title: str  # "A fair worker that acks after the work"
    files: tuple[str, ...]  # what the learner edits, relative to the lesson's exercise folder
    task: str  # what to do, one or two sentences (the list and the README say it)
    check: Callable  # check(ck: lessons.exercises.checking.Check) -> None
    hints: tuple[str, ...]  # one to three, each more specific than the one before
    starter_says: str  # a regex the check's output matches for the untouched starter (tests)
    deadline: float = 60.0  # seconds; the check is stopped (and fails) after that
    any_of: bool = False  # the files are alternatives (one language or another): edit any of them
    lesson: catalog.Lesson | None = field(default=None, compare=False)
    key: str = ""  # "2", or "8a", "8b" when a lesson has several (set by discovery)

    @property
    def files_text(self) -> str:
        return (" or " if self.any_of else ", ").join(self.files)

    @property
    def folder(self) -> Path:
        """The learner's folder: exercises/<lesson folder>/."""
        return LEARNER_ROOT / self.lesson.folder.name

    @property
    def harness(self) -> Path:
        return HARNESS / self.lesson.folder.name

    @property
    def starter(self) -> Path:
        """A folder with the untouched starter files: exercises/<lesson>/ as last committed."""
        from lessons.exercises import pristine

        return pristine.starter(self.lesson.folder.name)

    @property
    def solution(self) -> Path:
        return self.harness / "solution"

    @property
    def progress_key(self) -> str:
        """Stable across renumbering: the lesson's folder and the exercise's name."""
        return f"{self.lesson.folder.name}/{self.name}"

    @property
    def prefix(self) -> str:
        """The start of every queue, exchange and Redis key this exercise may use."""
        return f"exercise{self.lesson.number:02d}"

    def edited(self, folder: Path | None = None) -> bool:
        """True when a file of this exercise differs from its pristine starter."""
        folder = folder or self.folder
        for name in self.files:
            mine, pristine = folder / name, self.starter / name
            if not mine.exists() or mine.read_bytes() != pristine.read_bytes():
                return True
        return False


class UnknownExercise(LookupError):
    pass


def _module_for(lesson: catalog.Lesson):
    if not (HARNESS / lesson.folder.name / "__init__.py").is_file():
        return None
    return importlib.import_module(f"{__name__}.{lesson.folder.name}")


def for_lesson(lesson: catalog.Lesson) -> tuple[Exercise, ...]:
    """The lesson's exercises, in order, with `lesson` and `key` filled in."""
    module = _module_for(lesson)
    if module is None:
        return ()
    found = tuple(module.EXERCISES)
    keys = [str(lesson.number)] if len(found) == 1 else [f"{lesson.number}{chr(97 + i)}" for i in range(len(found))]
    return tuple(replace(exercise, lesson=lesson, key=key) for exercise, key in zip(found, keys, strict=True))


def all_exercises() -> tuple[Exercise, ...]:
    return tuple(exercise for lesson in catalog.LESSONS for exercise in for_lesson(lesson))


def count(lesson: catalog.Lesson) -> int:
    return len(for_lesson(lesson))


def select(number: int | str, name: str | None = None) -> tuple[Exercise, ...]:
    """Lesson N's exercises, or the one called `name`: its name, its key or its letter
    ("vanishing-orders", "8a" or "a")."""
    lesson = catalog.get(number)
    found = for_lesson(lesson)
    if not found:
        raise UnknownExercise(f"Lesson {lesson.number} has no exercise yet. "
                              "'python -m lessons exercises' lists the exercises there are.")
    if name is None:
        return found
    chosen = tuple(e for e in found if name in (e.name, e.key, e.key[len(str(lesson.number)):]))
    if not chosen:
        names = ", ".join(f"{e.key} ({e.name})" for e in found)
        raise UnknownExercise(f"Lesson {lesson.number} has no exercise '{name}'. Its exercises are: {names}.")
    return chosen
