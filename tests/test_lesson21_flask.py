"""Lesson 21 end to end: the demo, then the page in headless Chromium with a real worker and app."""

import re

import pytest
import requests
from helpers import assert_clean_run, lesson_processes, run_lesson, start_role

from lessons import broker

LESSON = "celery_basics.lesson21_flask"


def test_demo_tells_and_checks_the_story(management, redis_client):
    out = assert_clean_run(run_lesson(21))
    assert re.search(r"POST /reports -> 202 in \d+ ms", out)
    assert "PROGRESS 1/5" in out and "SUCCESS 5/5" in out  # the client role's view
    assert "[!] The job failed: page 3 of 'Q1 sales' could not be rendered" in out
    assert "raised expected: ReportError" in out
    statuses = re.findall(r"^│ \S[^│]*│ (\d{3}) +│", out.split("never a 500 page")[1], re.M)
    assert sorted(set(statuses)) == ["400", "404", "405"] and len(statuses) == 8, statuses
    # Nothing outlives the demo: no queue, no exchange of its own, no process, no Redis keys.
    assert management.queue("lesson21_flask") is None
    assert "lesson21_flask" not in [e["name"] for e in management.exchanges()]
    assert lesson_processes("lesson21_flask") == []
    assert redis_client.keys("lesson21:report:*") == []


@pytest.fixture
def running_app():
    """A worker and the app on a free port, as a learner runs them in two terminals."""
    worker = start_role(21, "worker", "--concurrency", "2", "--hostname", "browser@%h")
    app = start_role(21, "app", "--port", "0")
    try:
        worker.wait_for(r"\bready\.", timeout=30)
        base = app.wait_for(r"Serving on (http://[\d.]+:\d+)/").group(1)
        yield base, worker, app
    finally:
        app.stop()
        worker.stop()
        broker.delete_queues("lesson21_flask")
        broker.delete_exchanges("lesson21_flask")
    assert lesson_processes("lesson21_flask") == []


def test_the_page_in_a_browser(running_app, tmp_path):
    from playwright.sync_api import expect

    from lessons.browser import browser_page

    base, worker, app = running_app
    with browser_page() as page:
        page.goto(base + "/")
        page.fill("#pages", "5")
        page.get_by_role("button", name="start").click()
        expect(page.locator("#percent")).to_have_text("100 %", timeout=20_000)
        expect(page.locator("#result")).to_have_text("Done: 'Quarterly report', 5 pages, 215 lines.")
        assert page.locator("#track").get_attribute("aria-valuenow") == "100"
        assert page.locator("#bar").evaluate("bar => bar.style.width") == "100%"
        expect(page.locator("#state")).to_have_text("SUCCESS")
        page.screenshot(path=str(tmp_path / "done.png"))

        # A job that fails: the page shows the error's message, not a stack trace.
        page.fill("#fail_at", "2")
        page.get_by_role("button", name="start").click()
        expect(page.locator("#error")).to_have_text(
            "The report failed: page 2 of 'Quarterly report' could not be rendered (no data for it)",
            timeout=20_000)
        expect(page.locator("#state")).to_have_text("FAILURE")
        assert "Traceback" not in page.content()
        assert page.locator("#result").inner_text() == ""
    # The page polled over HTTP; the app logged each request, and none answered 500.
    assert app.count(r'"GET /reports/\S+ HTTP/1.1" 200') >= 4
    assert app.count(r'" 500 ') == 0
    assert worker.count(r"succeeded in") == 1 and worker.count(r"raised expected: ReportError") == 1


def test_bad_requests_answer_json(running_app):
    base, _, _ = running_app
    unknown = requests.get(f"{base}/reports/00000000-0000-0000-0000-000000000000", timeout=5)
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "no report job with id '00000000-0000-0000-0000-000000000000'"}
    malformed = requests.post(f"{base}/reports", data="{oops", timeout=5,
                              headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and "JSON object" in malformed.json()["error"]
    for body in ({"pages": 0}, {"pages": True}, {"title": ""}, {"fail_at": "3"}, [1, 2]):
        answer = requests.post(f"{base}/reports", json=body, timeout=5)
        assert answer.status_code == 400, body
        assert answer.headers["Content-Type"] == "application/json" and answer.json()["error"]
    started = requests.post(f"{base}/reports", json={"pages": 1}, timeout=5)
    assert started.status_code == 202 and started.json()["url"] == started.headers["Location"]
