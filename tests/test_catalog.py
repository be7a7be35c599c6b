"""The registry, the lesson folders, the tests and the README agree with each other."""

import ast
import re
import subprocess
import sys

import pytest
from helpers import ROOT

from lessons import catalog, course_map

SECTIONS = ["## Goal", "## Concepts", "## Run it", "## What you will see", "## Try it", "## Pitfalls", "## Recap"]
LESSONS = catalog.LESSONS


PARTS = ("production", "rabbitmq_basics", "celery_basics")


def test_numbers_are_unique_and_contiguous_from_zero():
    # Lesson 0 (install, in production/) opens the course; Part 3 goes on from 24.
    assert [lesson.number for lesson in LESSONS] == list(range(len(LESSONS)))


def test_lesson_zero_is_first_and_reachable_by_number():
    assert LESSONS[0].number == 0 and LESSONS[0].package == "production.lesson00_install"
    assert catalog.get("0") is LESSONS[0] and catalog.get(0) is LESSONS[0]
    assert course_map.ENGLISH.table().splitlines()[2].startswith("| 0 | [Install and check the stack](")


def test_slugs_and_packages_are_unique():
    assert len({lesson.slug for lesson in LESSONS}) == len(LESSONS)
    assert len({lesson.package for lesson in LESSONS}) == len(LESSONS)


def test_every_lesson_package_on_disk_is_registered():
    on_disk = {
        f"{part}.{folder.name}"
        for part in PARTS
        if (ROOT / part).is_dir()
        for folder in (ROOT / part).iterdir()
        if folder.is_dir() and re.match(r"lesson\d\d_", folder.name)
    }
    assert on_disk == {lesson.package for lesson in LESSONS}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson{lesson.number:02d}")
def test_lesson_has_its_parts(lesson):
    folder = lesson.folder
    assert re.match(rf"lesson{lesson.number:02d}_", folder.name), "folder number matches the catalog"
    assert set(lesson.services) <= {catalog.RABBITMQ, catalog.MANAGEMENT, catalog.REDIS, catalog.FLOWER}
    readme = (folder / "README.md").read_text(encoding="utf-8")
    positions = [readme.find(section + "\n") for section in SECTIONS]
    assert -1 not in positions, f"README.md lacks {[s for s, p in zip(SECTIONS, positions, strict=True) if p < 0]}"
    assert positions == sorted(positions), "README sections are in the usual order"
    assert "```mermaid" in readme, "Concepts has a mermaid diagram"
    assert lesson.roles, "a lesson has at least one role"
    assert len(set(lesson.role_names)) == len(lesson.roles), "role names are unique"
    for role in (*lesson.role_modules, "demo"):
        path = folder / f"{role}.py"
        assert path.is_file(), f"{path} is missing"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert "main" in functions, f"{path.name} has a main()"
        assert "__main__" in path.read_text(encoding="utf-8"), f"{path.name} runs main() only as a script"
    for role in lesson.role_names:
        command = lesson.command(role)
        if command is None:
            continue
        assert command[0] == "celery", f"role {role}: a command the course's environment has"
        app = command[command.index("-A") + 1]
        assert (folder / f"{app}.py").is_file() or (folder / app / "__init__.py").is_file(), (
            f"role {role}: celery -A {app} names a module of the lesson's folder")
    tests = list((ROOT / "tests").glob(f"test_lesson{lesson.number:02d}_*.py"))
    assert tests, f"lesson {lesson.number} has no tests/test_lesson{lesson.number:02d}_*.py"


IMPORT_EVERY_MODULE = """
import importlib, sys
for name in sys.argv[1:]:
    assert callable(importlib.import_module(name).main), name
"""


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson{lesson.number:02d}")
def test_role_and_demo_modules_import_without_side_effects(lesson, tmp_path):
    """Importing a role (as the launcher does, from the lesson's folder) or the demo prints
    nothing, connects to nothing (the broker and Redis addresses point at a closed port), writes
    no file, and leaves main() to do the work."""
    modules = [lesson.role_module(role) for role in lesson.role_modules] + [lesson.demo_module]
    before = _files(lesson.folder)
    dead = "127.0.0.1:1"
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE, *modules], cwd=lesson.folder, timeout=60,
        capture_output=True, text=True,
        env={**_environ(), "PYTHONPATH": str(lesson.folder), "PYTHONDONTWRITEBYTECODE": "1",
             "AMQP_URL": f"amqp://course:course@{dead}/%2F", "REDIS_URL": f"redis://{dead}/0",
             "MANAGEMENT_URL": f"http://course:course@{dead}/api/", "FLOWER_URL": f"http://{dead}"})
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", ""), "importing printed something"
    assert _files(lesson.folder) == before, "importing wrote a file into the lesson's folder"


def _environ() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}


def _files(folder) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if "__pycache__" not in p.parts and "node_modules" not in p.parts}


def test_readme_headings_are_the_catalog_titles():
    for lesson in LESSONS:
        first = (lesson.folder / "README.md").read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# {lesson.heading}", f"lesson {lesson.number}: README starts with {first!r}"


def test_readme_course_map_matches_the_catalog():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert course_map.ENGLISH.with_map(readme) == readme, (
        "The README's course map is out of date: run 'python -m lessons course-map --write'."
    )
    for lesson in LESSONS:
        assert f"| {lesson.number} | [{lesson.title}](" in readme


def test_python_snippets_in_lesson_readmes_are_excerpts_of_their_files():
    """A ```python block in a lesson README must be contiguous lines of a .py file of that lesson."""
    for lesson in LESSONS:
        readme = (lesson.folder / "README.md").read_text(encoding="utf-8")
        sources = [path.read_text(encoding="utf-8") for path in lesson.folder.rglob("*.py")]
        for block in re.findall(r"```python\n(.*?)```", readme, flags=re.S):
            snippet = "\n".join(line.rstrip() for line in block.strip("\n").splitlines())
            assert any(_contains_lines(source, snippet) for source in sources), (
                f"lesson {lesson.number} README has a python snippet that is not in its files:\n{block}"
            )


def _contains_lines(source: str, snippet: str) -> bool:
    """The snippet's lines appear in the source one after the other (indentation aside); a line
    "..." in the snippet stands for lines left out, and only there may the source go on."""
    chunks, chunk = [], []
    for line in snippet.splitlines():
        if line.strip() == "...":
            chunks.append(chunk)
            chunk = []
        else:
            chunk.append(line.strip())
    chunks.append(chunk)
    chunks = [c for c in chunks if any(c)]
    lines = [line.strip() for line in source.splitlines()]
    start = 0
    for wanted in chunks:
        at = next((i for i in range(start, len(lines) - len(wanted) + 1)
                   if lines[i:i + len(wanted)] == wanted), None)
        if at is None:
            return False
        start = at + len(wanted)
    return True


def test_snippet_check_wants_contiguous_lines():
    source = "a = 1\nb = 2\nc = 3\n"
    assert _contains_lines(source, "a = 1\nb = 2")
    assert _contains_lines(source, "a = 1\n...\nc = 3")
    assert not _contains_lines(source, "a = 1\nc = 3")
    assert not _contains_lines(source, "c = 3\n...\na = 1")


def test_every_make_lesson_role_in_the_docs_is_a_registered_role():
    """`make lesson-N ROLE=x` in any README must name a role lesson N really has."""
    roles = {lesson.number: set(lesson.role_names) for lesson in LESSONS}
    readmes = [ROOT / "README.md", *(lesson.folder / "README.md" for lesson in LESSONS)]
    for readme in readmes:
        for number, role in re.findall(r"make lesson-(\d+) ROLE=([\w-]+)", readme.read_text(encoding="utf-8")):
            assert role in roles.get(int(number), set()), f"{readme.relative_to(ROOT)}: lesson {number} has no role {role}"


def test_every_module_the_docs_run_exists():
    """`python -m some.lesson.module` (or `celery -A ...`) in any README must name a real module."""
    import importlib.util

    readmes = [ROOT / "README.md", *(lesson.folder / "README.md" for lesson in LESSONS)]
    for readme in readmes:
        text = readme.read_text(encoding="utf-8")
        for module in set(re.findall(r"(?:python -m|-A) ((?:rabbitmq_basics|celery_basics|production)(?:\.\w+)+)", text)):
            assert importlib.util.find_spec(module) is not None, f"{readme.relative_to(ROOT)}: no module {module}"
