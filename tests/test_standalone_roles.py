"""Role files are what a learner would write: they import nothing of the course's harness, read
their addresses from the environment with the course's defaults written out (equal to
lessons/settings.py), and behave as the learner's own program would; the harness adds its
manners from outside (lessons/launch.py)."""

import ast
import os
import re
import shutil
import subprocess
import sys

import pytest
from helpers import launch_role, learner_modules

from lessons import catalog, settings

ALL = catalog.LESSONS
HARNESS_PACKAGES = ("lessons", "rabbitmq_basics", "celery_basics", "production", "tests", "tools")
# Lesson 27 teaches that URLs holding passwords come from the environment only: no default.
NO_WRITTEN_OUT_ADDRESS = {27}
DEAD_BROKER = "amqp://course:course@127.0.0.1:1/%2F"


def ids(lessons):
    return [f"lesson{lesson.number:02d}" for lesson in lessons]


def course_imports(lesson) -> list[str]:
    """What stops the lesson's files from running copied out: imports of the course's packages
    (its own dotted path included) and relative imports in the lesson's top folder."""
    found = []
    for path in learner_modules(lesson):
        where = path.relative_to(lesson.folder)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level and path.parent == lesson.folder:
                found.append(f"{where}: a relative import fails in `python {path.name}`")
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{where} imports {name}" for name in names
                      if name.split(".")[0] in HARNESS_PACKAGES]
    return found


@pytest.mark.parametrize("lesson", ALL, ids=ids(ALL))
def test_no_learner_module_mentions_the_harness(lesson):
    """No role, nor any module a role or a command role imports, mentions `lessons`."""
    for path in learner_modules(lesson):
        assert not re.search(r"\blessons\b", path.read_text(encoding="utf-8")), (
            f"{path.relative_to(lesson.folder)} mentions lessons")


@pytest.mark.parametrize("lesson", ALL, ids=ids(ALL))
def test_no_learner_module_imports_the_course_packages(lesson):
    """Copied into an empty folder, the files still import: siblings by their plain names."""
    assert course_imports(lesson) == []


def written_defaults(path) -> list[tuple[str, str]]:
    """(variable, default) of every os.environ.get("VAR", "default") in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get" and ast.unparse(node.func.value) == "os.environ"
                and len(node.args) == 2 and all(isinstance(a, ast.Constant) for a in node.args)):
            found.append((node.args[0].value, node.args[1].value))
    return found


@pytest.mark.parametrize("lesson", ALL, ids=ids(ALL))
def test_written_out_defaults_equal_the_course_settings(lesson):
    """Each address a role writes out is the course's default for that variable, so the copies a
    learner takes and the harness can never point at different places."""
    checked = 0
    for path in learner_modules(lesson):
        for variable, default in written_defaults(path):
            if variable in settings.VARIABLES:
                assert default == settings.VARIABLES[variable][0], (
                    f"{path.relative_to(lesson.folder)}: {variable} defaults to {default!r}")
                checked += 1
    assert checked or lesson.number in NO_WRITTEN_OUT_ADDRESS, (
        f"lesson {lesson.number} writes out no address at all")


def test_the_parser_finds_the_defaults(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('import os\nA = os.environ.get("AMQP_URL", "amqp://x")\n'
                      'b = int(os.environ.get("N", "2"))\nc = os.environ.get("ONLY_NAME")\n')
    assert written_defaults(module) == [("AMQP_URL", "amqp://x"), ("N", "2")]


def test_outside_the_harness_a_role_shows_the_library_exception():
    """`python send.py` with the broker down: what the learner's own program prints, pika's
    exception and its traceback."""
    lesson = catalog.get(1)
    result = subprocess.run([sys.executable, "send.py"], cwd=lesson.folder, capture_output=True,
                            text=True, timeout=30, env={**os.environ, "AMQP_URL": DEAD_BROKER})
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "pika.exceptions.AMQPConnectionError" in result.stderr


def test_through_the_harness_the_same_role_says_one_sentence():
    result = launch_role(1, "send", env={"AMQP_URL": DEAD_BROKER})
    assert result.returncode == 1
    assert "Traceback" not in result.stdout
    [line] = result.stdout.strip().splitlines()
    assert line.startswith("Cannot reach RabbitMQ at amqp://course:***@127.0.0.1:1/%2F (")
    assert line.endswith("Start it with 'make up' (Docker) or 'rabbitmq-server -detached' "
                         "(local server), then try again.")


@pytest.mark.parametrize("number, role, module", [(1, "send", "send"), (12, "client", "tasks"),
                                                  (20, "check_config", "celeryconfig")])
def test_a_copied_role_with_no_address_set_uses_the_course_default(number, role, module, tmp_path):
    """Copied out, with AMQP_URL and REDIS_URL unset, the modules point at the course's stack."""
    lesson = catalog.get(number)
    shutil.copytree(lesson.folder, tmp_path / "copy", ignore=shutil.ignore_patterns("demo.py", "__pycache__"))
    env = {k: v for k, v in os.environ.items() if k not in settings.VARIABLES and k != "PYTHONPATH"}
    show = (f"import importlib; m = importlib.import_module({module!r}); "
            "print(getattr(m, 'AMQP_URL', None) or m.broker_url)")
    result = subprocess.run([sys.executable, "-c", show], cwd=tmp_path / "copy", capture_output=True,
                            text=True, timeout=30, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == settings.VARIABLES["AMQP_URL"][0]
