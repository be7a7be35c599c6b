"""Lesson 10 end to end: the HTTP API, the watcher, a limited user, definitions, screenshots."""

import struct
import subprocess
import sys

import pytest
from helpers import ROOT, assert_clean_run, interrupt_at, launch_role, run_lesson, start_lesson

from lessons import broker

USER, VHOST = "lesson10-reader", "lesson10-sandbox"


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _nothing_left(management):
    assert not {q["name"] for q in management.queues()} & {"lesson10.tasks", "lesson10.audit"}
    assert "lesson10.events" not in {e["name"] for e in management.exchanges()}
    assert USER not in {u["name"] for u in management.get("users")}
    assert VHOST not in {v["name"] for v in management.get("vhosts")}


def test_demo_tells_and_checks_the_story(management):
    out = assert_clean_run(run_lesson(10))
    assert "lesson10.audit: ready 24," in out  # the watcher saw the audit queue fill
    assert "'lesson10 slow consumer': user course" in out
    assert "declaring a queue is refused: 403 ACCESS_REFUSED" in out
    assert "refused for user 'lesson10-reader'. This user lacks the permission" in out  # the clean error
    assert 'x_lesson10_events -- "task.*" --> q_lesson10_tasks' in out
    assert "does not answer at http://127.0.0.1:1/api/" in out
    _nothing_left(management)


def test_limited_user_role_cleans_up_after_itself(management):
    result = run_lesson(10, role="limited_user")
    assert result.returncode == 0, result.stdout
    assert "publishing is refused: 403 ACCESS_REFUSED" in result.stdout
    assert "DELETE users/lesson10-reader and vhosts/lesson10-sandbox" in result.stdout
    _nothing_left(management)


def test_wrong_management_credentials_are_one_sentence():
    from lessons import settings

    wrong = settings.MANAGEMENT_URL.replace(":course@", ":nope@", 1)
    # Through the launcher only: 'lessons run' would stop at its own check of the services.
    result = launch_role(10, "watch_queues", timeout=20, env={"MANAGEMENT_URL": wrong})
    assert result.returncode == 1
    assert "Traceback" not in result.stdout
    assert f"{settings.management_base()} refused user 'course' (401" in result.stdout
    assert "MANAGEMENT_URL" in result.stdout


@pytest.mark.either_broker
def test_interrupted_demo_still_removes_the_user_and_the_vhost(management):
    demo = start_lesson(10)
    # Once this line is out, the user and the vhost exist.
    out = interrupt_at(demo, "The same user runs this lesson's producer")
    assert demo.returncode == 130, out
    assert "Traceback" not in out
    _nothing_left(management)


def test_screenshot_script_writes_real_images(tmp_path, management):
    result = subprocess.run([sys.executable, "-m", "tools.lesson10_screenshots",
                             "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("overview.png", "connections.png", "queues.png", "queue-detail.png"):
        width, height = _png_size(tmp_path / name)
        assert (width, height) == (1280, 800)
        assert (tmp_path / name).stat().st_size > 20_000  # a rendered page, not a blank one
    assert broker.queue_depth("lesson10.tasks") is None  # it removed what it made
    _nothing_left(management)


def test_readme_shows_the_committed_screenshots():
    folder = ROOT / "rabbitmq_basics" / "lesson10_management"
    readme = (folder / "README.md").read_text()
    for name in ("overview.png", "connections.png", "queues.png", "queue-detail.png"):
        assert f"]({name})" in readme
        _png_size(folder / name)
