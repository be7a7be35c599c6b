"""Headless Chromium for screenshots and browser tests, driven by Playwright for Python.

It uses the system's Chromium (Debian's `chromium` package, or CHROMIUM_PATH), so nothing
downloads a browser at run time. The flags keep a root, offline machine quiet: no sandbox
(root), no background networking (nothing to reach), a fresh profile each time.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

from lessons.errors import CourseError

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise CourseError("No Chromium found. Install it ('apt-get install chromium') or set CHROMIUM_PATH.")
    return path


@contextmanager
def browser_page(http_credentials: tuple[str, str] | None = None, width: int = 1280, height: int = 800):
    """A Playwright page in headless Chromium; closed with its browser on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        try:
            credentials = None
            if http_credentials:
                credentials = {"username": http_credentials[0], "password": http_credentials[1]}
            context = browser.new_context(viewport={"width": width, "height": height},
                                          http_credentials=credentials)
            yield context.new_page()
        finally:
            browser.close()
