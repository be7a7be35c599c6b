"""The exercises agree with the catalog, the folders and the READMEs; the starters and solutions
follow the role-file pattern; hints, the list and reset work (no broker needed)."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from lessons import catalog, exercises, settings
from lessons.exercises import pristine

EXERCISES = exercises.all_exercises()
ids = [f"exercise{e.key}" for e in EXERCISES]


def shipped_files(folder) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and "node_modules" not in p.parts
            and not p.name.endswith(".mine")}


def test_every_exercise_folder_belongs_to_a_lesson_of_the_catalog():
    lesson_folders = {lesson.folder.name for lesson in catalog.LESSONS}
    learner = {p.name for p in exercises.LEARNER_ROOT.iterdir() if p.is_dir()}
    harness = {p.name for p in exercises.HARNESS.iterdir() if p.is_dir() and p.name.startswith("lesson")}
    assert learner <= lesson_folders, f"exercise folders without a lesson: {learner - lesson_folders}"
    assert harness == learner, f"exercises/ and lessons/exercises/ differ: {harness ^ learner}"


def test_every_lesson_has_an_exercise():
    missing = [lesson.number for lesson in catalog.LESSONS if not exercises.count(lesson)]
    assert missing == [], f"lessons without an exercise: {missing}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_exercise_is_complete(exercise):
    assert 1 <= len(exercise.hints) <= 3 and all(h.strip() for h in exercise.hints)
    assert exercise.title and exercise.task and exercise.files
    re.compile(exercise.starter_says)
    assert 10 <= exercise.deadline <= 120
    starter, solution = shipped_files(exercise.starter), shipped_files(exercise.solution)
    assert set(exercise.files) <= starter, "the files to edit are in the starter"
    assert solution <= starter, "a solution changes starter files; it adds none"
    mine = [f for f in solution if f in exercise.files]
    assert mine, "the solution solves this exercise's files"
    for name in mine:
        assert (exercise.solution / name).read_text() != (exercise.starter / name).read_text()


@pytest.mark.parametrize("lesson", sorted({e.lesson for e in EXERCISES}, key=lambda lesson: lesson.number),
                         ids=lambda lesson: f"lesson{lesson.number:02d}")
def test_the_pristine_starter_is_the_committed_learner_folder(lesson):
    """One copy of each starter: exercises/<lesson>/. Its committed files (README.md aside) are what
    --starter checks and exercise-reset puts back; the harness keeps no second copy."""
    exercise = exercises.for_lesson(lesson)[0]
    assert not (exercise.harness / "starter").exists(), "the starter lives in exercises/ only"
    if not pristine.from_git():
        pytest.skip("not a git clone: the starter is the folder itself")
    tracked = subprocess.run(["git", "ls-files", f"exercises/{lesson.folder.name}"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    committed = {Path(name).relative_to(f"exercises/{lesson.folder.name}").as_posix() for name in tracked}
    assert shipped_files(exercise.starter) == committed - {"README.md"}


@pytest.mark.parametrize("lesson", sorted({e.lesson for e in EXERCISES}, key=lambda lesson: lesson.number),
                         ids=lambda lesson: f"lesson{lesson.number:02d}")
def test_readmes_name_the_exercises_and_the_commands(lesson):
    found = exercises.for_lesson(lesson)
    own = (found[0].folder / "README.md").read_text(encoding="utf-8")
    assert own.startswith("# Exercise")
    for exercise in found:
        assert exercise.title in own
    assert f"make exercise-{lesson.number}" in own and f"make hint-{lesson.number}" in own
    lesson_readme = (lesson.folder / "README.md").read_text(encoding="utf-8")
    last = lesson_readme.rsplit("\n## ", 1)[-1]
    assert last.startswith("Exercises\n"), "the lesson's README ends with its Exercises section"
    for exercise in found:
        assert f"Exercise {exercise.key}: {exercise.title}" in last
    assert f"make exercise-{lesson.number}" in last and f"make hint-{lesson.number}" in last
    assert f"exercises/{lesson.folder.name}/" in last


def python_files():
    """(an id such as 'exercise02 starter worker.py', the file), for every starter and solution."""
    for exercise in {e.lesson.number: e for e in EXERCISES}.values():
        for which, folder in (("starter", exercise.starter), ("solution", exercise.solution)):
            for path in sorted(folder.rglob("*.py")):
                if "migrations" not in path.parts:
                    yield pytest.param(path, id=f"{exercise.prefix} {which} {path.relative_to(folder).as_posix()}")


@pytest.mark.parametrize("path", list(python_files()))
def test_starters_and_solutions_are_role_files(path):
    """No import of the course's harness; addresses from the environment with the course's default
    written out; a program runs main() only as a script."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "lessons" for a in node.names), "no import of the harness"
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "lessons", "no import of the harness"
    for name, default in re.findall(r'os\.environ\.get\("(AMQP_URL|REDIS_URL|MANAGEMENT_URL)", "([^"]+)"\)', text):
        assert default == settings.VARIABLES[name][0], f"{name}'s default is the course's"
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    if "main" in functions:
        assert 'if __name__ == "__main__":' in text


def lessons_cli(*args, env: dict, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lessons", *args], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout, env={**os.environ, **env})


@pytest.fixture
def learner(tmp_path):
    """A learner's own copy of the exercises and a progress file of its own."""
    root = tmp_path / "exercises"
    for exercise in EXERCISES:
        target = root / exercise.folder.name
        if not target.exists():
            shutil.copytree(exercise.starter, target)
    return {"COURSE_EXERCISES_DIR": str(root), "COURSE_PROGRESS_FILE": str(tmp_path / "progress.json")}


def test_the_list_shows_every_exercise_not_started(learner):
    result = lessons_cli("exercises", env=learner)
    assert result.returncode == 0
    for exercise in EXERCISES:
        assert re.search(rf"\[ \]\s+{exercise.key}\s+{re.escape(exercise.title)}\s+not started", result.stdout), result.stdout
    assert f"0 of {len(EXERCISES)} done" in result.stdout


def test_hints_come_one_after_the_other_and_are_remembered(learner):
    exercise = exercises.select(2)[0]
    for number, hint in enumerate(exercise.hints, 1):
        result = lessons_cli("hint", "2", env=learner)
        assert result.returncode == 0
        assert f"Hint {number} of {len(exercise.hints)}:" in result.stdout
        assert hint.split("\n")[0].strip()[:40] in result.stdout
    again = lessons_cli("hint", "2", env=learner)
    assert f"Hint {len(exercise.hints)} of {len(exercise.hints)}:" in again.stdout and "last hint" in again.stdout
    listing = lessons_cli("exercises", env=learner).stdout
    assert re.search(rf"2\s+.*not started, {len(exercise.hints)} of {len(exercise.hints)} hints seen", listing)


def test_hints_through_make(learner):
    result = subprocess.run(["make", "--no-print-directory", "hint-5"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=60, env={**os.environ, **learner})
    assert result.returncode == 0 and "Hint 1 of 3:" in result.stdout, result.stdout


def test_a_lesson_with_two_exercises_hints_the_one_asked_for(learner):
    second = exercises.select(8)[1]
    result = lessons_cli("hint", "8", "b", env=learner)
    assert f"Exercise {second.key}: {second.title}" in result.stdout


def test_reset_puts_the_starter_back_and_keeps_the_learners_version(learner, tmp_path):
    exercise = exercises.select(2)[0]
    mine = tmp_path / "exercises" / exercise.folder.name / "worker.py"
    mine.write_text(mine.read_text() + "\n# my attempt\n")
    assert "edited, not checked" in lessons_cli("exercises", env=learner).stdout
    result = lessons_cli("exercise-reset", "2", env=learner)
    assert result.returncode == 0 and "back to its starter" in result.stdout
    assert mine.read_bytes() == (exercise.starter / "worker.py").read_bytes()
    assert mine.with_name("worker.py.mine").read_text().endswith("# my attempt\n")
    assert re.search(r"2\s+.*not started", lessons_cli("exercises", env=learner).stdout)


def test_unknown_lessons_and_exercises_are_a_sentence(learner):
    for args in (("exercise", "99"), ("hint", "8", "nope"), ("exercise-reset", "abc")):
        result = lessons_cli(*args, env=learner)
        assert result.returncode == 2, result.stdout
        assert "Traceback" not in result.stdout
        assert len(result.stdout.strip().splitlines()) == 1, result.stdout


def test_the_course_map_counts_the_exercises():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for lesson in catalog.LESSONS:
        assert re.search(rf"^\| {lesson.number} \| .* \| {exercises.count(lesson)} \|$", readme, flags=re.M)
