"""Lesson 19 in a real browser: headless Chromium (Playwright, the system's chromium) logs in to
Flower with basic auth and finds the demo's task names on the tasks page."""

import os
import subprocess
import sys

import pytest
from helpers import ROOT, free_port, run_lesson
from lesson19_stack import (
    flower_env,
    flower_lesson_processes,
    wait_for_finished_tasks,
    worker_and_flower,
)

from lessons.browser import browser_page

NAMES = ("lesson19.add", "lesson19.slow", "lesson19.fail", "lesson19.flaky")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def flower_with_tasks():
    port = free_port()
    with worker_and_flower(port):
        env = flower_env(port)
        sent = run_lesson(19, "--fast", "2", "--slow", "1", "--seconds", "0.2", "--wait",
                          role="client", env=env, timeout=60)
        assert sent.returncode == 0, sent.stdout
        wait_for_finished_tasks(port, 5)  # 2 fast, 1 slow, 1 failing, 1 retried (the defaults)
        yield f"http://127.0.0.1:{port}", env
    assert flower_lesson_processes(port) == []


def test_the_tasks_page_shows_the_task_names(flower_with_tasks):
    from lessons.flower_pages import open_tasks_page, open_workers_page

    base, _ = flower_with_tasks
    with browser_page(http_credentials=("course", "course")) as page:
        text = open_tasks_page(page, base)
        for name in NAMES:
            assert name in text, text
        assert "FAILURE" in text and "SUCCESS" in text
        assert "w19@" in open_workers_page(page, base)


def test_the_browser_without_the_password_gets_401(flower_with_tasks):
    base, _ = flower_with_tasks
    with browser_page(http_credentials=("course", "wrong")) as page:
        response = page.goto(base + "/tasks")
        assert response.status == 401
        assert "lesson19.add" not in page.content()


def test_the_screenshots_script(flower_with_tasks, tmp_path):
    _, env = flower_with_tasks
    result = subprocess.run([sys.executable, "-m", "tools.lesson19_screenshots", "--out", str(tmp_path)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=60, env={**os.environ, **env})
    assert result.returncode == 0, result.stdout
    for name in ("flower_tasks.png", "flower_workers.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG
