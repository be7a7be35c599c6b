"""Flower's tasks and workers pages in headless Chromium (lessons/browser.py), logged in with
the basic-auth credentials from FLOWER_BASIC_AUTH as a browser would after its login dialog.
Lesson 19's demo (`--screenshots`), its browser test and the README pictures' tool use them."""

from pathlib import Path

from lessons.browser import browser_page
from lessons.errors import CourseError
from lessons.settings import FLOWER_URL, flower_credentials

BASE = FLOWER_URL.rstrip("/")


def open_page(page, path, table, base=BASE):
    """Open a Flower page and wait until its table (filled by an AJAX call) has rows; its text."""
    from playwright.sync_api import TimeoutError

    response = page.goto(base + path)
    if response is not None and response.status == 401:
        raise CourseError(f"Flower at {base} answered 401 Unauthorized: check FLOWER_BASIC_AUTH.")
    try:
        page.wait_for_selector(f"{table} tbody tr td a", timeout=15000)
    except TimeoutError:
        raise CourseError(f"Flower's {path} page showed no rows within 15 s: run some tasks "
                          "first (for example the client role), with a worker running.") from None
    return page.inner_text(table)


def open_tasks_page(page, base=BASE):
    return open_page(page, "/tasks", "#tasks-table", base)


def open_workers_page(page, base=BASE):
    return open_page(page, "/workers", "#workers-table", base)


def capture(folder):
    """Save tasks.png and workers.png into `folder`; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "flower_tasks.png", folder / "flower_workers.png"]
    with browser_page(http_credentials=flower_credentials(), width=1280, height=720) as page:
        open_tasks_page(page)
        page.screenshot(path=str(paths[0]))
        open_workers_page(page)
        page.screenshot(path=str(paths[1]))
    return paths
