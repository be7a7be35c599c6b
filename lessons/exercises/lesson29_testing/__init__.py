"""Exercise 29: the test that catches a bug task_always_eager hides.

The checker runs the learner's test_hashtags.py with pytest twice, each time in a copy of the
exercise folder: once beside the buggy tasks.py of the starter (hashtags returns a set, which
JSON cannot carry), once beside a fixed one (fixed/tasks.py). A test that catches the bug fails
the first run and passes the second.
"""

import re
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from lessons.exercises import Exercise

HERE = Path(__file__).resolve().parent
TEST = "test_hashtags.py"
GIVEN = ("conftest.py", "pytest.ini")  # the learner's own copies are used (they may add to them)


def pytest_run(ck, folder: Path, name: str):
    """Run pytest on the learner's test in `folder`; (exit code, {outcome: count}, process)."""
    report = folder / "report.xml"
    saved, ck.folder = ck.folder, folder
    try:
        process = ck.start_program(name, [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                                          "--timeout", "40", f"--junitxml={report}", TEST])
    finally:
        ck.folder = saved
    code = process.wait(timeout=50)
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    if report.exists():
        suite = ElementTree.parse(report).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        tests = int(suite.get("tests", 0))
        counts.update(failed=int(suite.get("failures", 0)), errors=int(suite.get("errors", 0)),
                      skipped=int(suite.get("skipped", 0)))
        counts["passed"] = tests - counts["failed"] - counts["errors"] - counts["skipped"]
    return code, counts, process


def summary(counts) -> str:
    return ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "no test ran"


def first_error(process) -> str:
    """The first 'E   ...' line pytest printed (what failed), or its last line."""
    lines = [line for line in process.output.splitlines() if line.strip()]
    found = [line[1:].strip() for line in lines if line.startswith("E ")]
    return (found[0] if found else (lines[-1] if lines else "no output"))[:200]


def check(ck):
    mine = ck.folder / TEST
    ck.require(mine.is_file(), f"{TEST} is there", f"There is no {TEST} in {ck.folder}.")
    with tempfile.TemporaryDirectory(prefix="exercise29-") as scratch:
        runs = {}
        for label, tasks in (("buggy", ck.exercise.starter / "tasks.py"), ("fixed", HERE / "fixed" / "tasks.py")):
            folder = Path(scratch) / label
            folder.mkdir()
            shutil.copy(mine, folder / TEST)
            for name in GIVEN:
                shutil.copy(ck.folder / name if (ck.folder / name).is_file() else ck.exercise.starter / name,
                            folder / name)
            shutil.copy(tasks, folder / "tasks.py")
            ck.section(f"pytest {TEST}, beside the {label} tasks.py")
            code, counts, process = pytest_run(ck, folder, f"pytest-{label}")
            ck.say(f"pytest exited with code {code}: {summary(counts)}")
            runs[label] = (code, counts, process)

        code, counts, process = runs["buggy"]
        ck.require(code in (0, 1) and counts["errors"] == 0,
                   f"{TEST} ran (pytest collected it and its fixtures were found)",
                   f"pytest could not run {TEST} (exit code {code}): {first_error(process)}")
        ck.expect(code == 1 and counts["failed"] >= 1,
                  f"against the buggy tasks.py your test failed: {first_error(process)}",
                  "Against the buggy tasks.py your test passed: it does not catch the bug. Does the "
                  "task run on a real worker (celery_worker), its result coming back as JSON?")
        code, counts, process = runs["fixed"]
        ck.expect(code == 0 and counts["passed"] >= 1,
                  "against the fixed tasks.py your test passed",
                  f"Against the fixed tasks.py your test did not pass (exit code {code}, {summary(counts)}): "
                  f"{first_error(process)}. It should fail only because of the bug.")
        eager = re.search(r"task_always_eager\s*=\s*True", mine.read_text(encoding="utf-8"))
        ck.expect(not eager, "the test does not turn task_always_eager on",
                  "The test still turns task_always_eager on: the task then never meets a worker.")


EXERCISES = (
    Exercise(
        name="catch-the-bug",
        title="The test that catches what eager mode hides",
        files=(TEST,),
        task="Rewrite test_hashtags.py so that hashtags runs on a real worker (celery_worker): the test "
             "must fail against the buggy tasks.py and pass against a fixed one.",
        check=check,
        hints=(
            "Eager mode runs the task in the test's own process: its result is never turned into "
            "JSON. A set cannot be, so on a real worker .get() raises instead of returning it.",
            "Drop the eager fixture and ask for the celery_worker fixture (conftest.py turns Celery's "
            "fixtures on): the test function takes it as an argument, and a worker runs in a thread "
            "for the length of the test.",
            "    def test_hashtags(celery_worker):\n"
            "        result = hashtags.delay(\"#celery is #fun, #celery\")\n"
            "        assert sorted(result.get(timeout=10)) == [\"celery\", \"fun,\"]",
        ),
        starter_says=r"\[no\] Against the buggy tasks\.py your test passed: it does not catch the bug",
        deadline=90,
    ),
)
