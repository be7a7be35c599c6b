"""The registry, the lesson folders, the tests and the README agree with each other."""

import ast
import importlib
import re

import pytest
from helpers import ROOT

from lessons import catalog, cli

SECTIONS = ["## Goal", "## Concepts", "## Run it", "## What you will see", "## Try it", "## Pitfalls", "## Recap"]
LESSONS = catalog.LESSONS


def test_numbers_are_unique_and_contiguous_from_one():
    assert [lesson.number for lesson in LESSONS] == list(range(1, len(LESSONS) + 1))


def test_slugs_and_packages_are_unique():
    assert len({lesson.slug for lesson in LESSONS}) == len(LESSONS)
    assert len({lesson.package for lesson in LESSONS}) == len(LESSONS)


def test_every_lesson_package_on_disk_is_registered():
    on_disk = {
        f"{part}.{folder.name}"
        for part in ("rabbitmq_basics", "celery_basics", "production")
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
    for role in (*lesson.roles, "demo"):
        path = folder / f"{role}.py"
        assert path.is_file(), f"{path} is missing"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert "main" in functions, f"{path.name} has a main()"
        assert "__main__" in path.read_text(encoding="utf-8"), f"{path.name} runs main() only as a script"
    tests = list((ROOT / "tests").glob(f"test_lesson{lesson.number:02d}_*.py"))
    assert tests, f"lesson {lesson.number} has no tests/test_lesson{lesson.number:02d}_*.py"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson{lesson.number:02d}")
def test_role_and_demo_modules_import_without_side_effects(lesson):
    for role in (*lesson.roles, "demo"):
        module = importlib.import_module(f"{lesson.package}.{role}")
        assert callable(module.main)


def test_readme_course_map_matches_the_catalog():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert cli.readme_with_map(readme) == readme, (
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
    wanted = [line for line in snippet.splitlines() if line.strip() and line.strip() != "..."]
    lines = [line.rstrip() for line in source.splitlines()]
    stripped = [line.strip() for line in lines]
    if not wanted:
        return True
    first = wanted[0].strip()
    for start, line in enumerate(stripped):
        if line != first:
            continue
        cursor = start
        for want in wanted:  # in order; "..." in the snippet may skip lines
            while cursor < len(stripped) and stripped[cursor] != want.strip():
                cursor += 1
            if cursor == len(stripped):
                break
            cursor += 1
        else:
            return True
    return False


def test_every_make_lesson_role_in_the_docs_is_a_registered_role():
    """`make lesson-N ROLE=x` in any README must name a role lesson N really has."""
    roles = {lesson.number: set(lesson.roles) for lesson in LESSONS}
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
