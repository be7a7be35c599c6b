"""Lesson 21's story in one terminal: a Flask app hands slow reports to a Celery worker.

    make lesson-21            (or: python -m lessons run 21)
"""

import sys
import time

import redis
import requests

from lessons.settings import REDIS_URL
from lessons.story import Story

LESSON = "celery_basics.lesson21_flask"
QUEUE = "lesson21_flask"


def main(argv=None) -> int:
    with Story(21, argv) as story:
        # Celery names the default exchange after the default queue: both go at the end.
        story.start_fresh(queues=[QUEUE], exchanges=[QUEUE])
        store = redis.Redis.from_url(REDIS_URL)
        job_ids = []
        story.cleanup(lambda: forget(store, job_ids), always=True)

        story.section("Start a worker and the web app (Flask's own server, any free port)")
        worker = story.start_worker("worker", "tasks", "--concurrency", "2")
        web = story.start("app", f"{LESSON}.app", "--port", "0", "--quiet",
                          ready=r"Serving on http://\S+")
        base = web.wait_for(r"Serving on (http://[\d.]+:\d+)/").group(1)
        story.say(f"The app listens on {base}. (To click through its page, run the roles by hand: see the README.)")

        story.section("POST /reports: the app answers at once, the worker does the slow part")
        started = time.monotonic()
        response = requests.post(f"{base}/reports", json={"title": "Q3 sales", "pages": 8}, timeout=5)
        answered_ms = 1000 * (time.monotonic() - started)
        job = response.json()
        job_ids.append(job.get("id"))
        story.say(f"POST /reports -> {response.status_code} in {answered_ms:.0f} ms: {job}")
        story.check(response.status_code == 202 and response.headers.get("Location") == job["url"],
                    "POST /reports answered 202 Accepted with the job's URL (also in Location)")

        states, seen = [], []
        while not states or states[-1] not in ("SUCCESS", "FAILURE"):
            body = requests.get(base + job["url"], timeout=5).json()
            step = (body["state"], body["progress"] and body["progress"]["current"])
            if not seen or seen[-1] != step:
                seen.append(step)
                states.append(body["state"])
            if time.monotonic() - started > 20:
                break
            time.sleep(0.1)
        took = time.monotonic() - started
        story.table("What GET /reports/<id> said, each change once", ("state", "progress"),
                    [(state, f"{current}/8" if current else "") for state, current in seen])
        progress = [current for state, current in seen if state == "PROGRESS"]
        story.check(states[0] in ("PENDING", "STARTED") and states[-1] == "SUCCESS",
                    f"the state went from {states[0]} to SUCCESS in {took:.1f} s")
        story.check(len(progress) >= 3 and progress == sorted(progress),
                    f"PROGRESS rose page by page ({len(progress)} of 8 steps seen, polling every 0.1 s)")
        story.check(body["result"] == {"title": "Q3 sales", "pages": 8, "lines": 8 * 40 + 36}
                    and body["progress"] == {"current": 8, "total": 8},
                    f"the result came back through the app: {body['result']}")
        story.check(answered_ms < 1000 * took / 2,
                    f"the POST took {answered_ms:.0f} ms, the job {took:.1f} s: the request never waited for it")

        story.section("The same API from another program: the client role, talking HTTP only")
        client = story.run("client", f"{LESSON}.client", "--url", base, "--title", "Q4 sales",
                           "--pages", "5", "--interval", "0.1")
        job_ids += [m.group(1) for m in client.matches(r"job (\S+),")]
        story.check(client.count(r"\[\.\] PROGRESS") >= 2 and client.count(r"\[\.\] SUCCESS 5/5") == 1,
                    "the client saw PROGRESS steps, then SUCCESS 5/5")

        story.section("A job that fails: the user gets its message, not a stack trace")
        failing = story.run("client", f"{LESSON}.client", "--url", base, "--title", "Q1 sales",
                            "--pages", "6", "--fail-at", "3", "--interval", "0.1", expect_code=2)
        job_ids += [m.group(1) for m in failing.matches(r"job (\S+),")]
        failed = requests.get(f"{base}/reports/{job_ids[-1]}", timeout=5).json()
        story.say(f"GET /reports/<id> -> {failed}")
        story.check(failed["state"] == "FAILURE" and "page 3 of 'Q1 sales' could not be rendered" in failed["error"]
                    and "Traceback" not in str(failed),
                    "the failed job shows ReportError's message, and no traceback")
        worker.wait_for(r"raised expected: ReportError")
        story.check(worker.count(r"raised expected: ReportError") == 1,
                    "the worker logged it as an expected failure (throws=(ReportError,)): one line, no traceback")

        story.section("Bad requests get JSON answers, never a 500 page")
        probes = [
            ("GET", "/reports/no-such-job", None, None, 404),
            ("GET", "/reports/" + job_ids[0][::-1], None, None, 404),
            ("POST", "/reports", "pages=10", {"Content-Type": "application/x-www-form-urlencoded"}, 400),
            ("POST", "/reports", '{"pages": "ten"}', {"Content-Type": "application/json"}, 400),
            ("POST", "/reports", '{"pages": 100000}', {"Content-Type": "application/json"}, 400),
            ("POST", "/reports", "{not json", {"Content-Type": "application/json"}, 400),
            ("DELETE", "/reports", None, None, 405),
            ("GET", "/no/such/page", None, None, 404),
        ]
        rows, all_json = [], True
        for method, path, data, headers, expected in probes:
            answer = requests.request(method, base + path, data=data, headers=headers, timeout=5)
            is_json = answer.headers.get("Content-Type", "").startswith("application/json")
            all_json &= is_json and answer.status_code == expected and "error" in answer.json()
            error = answer.json().get("error", "") if is_json else "(not JSON) " + answer.text
            rows.append((f"{method} {path[:24]} {data or ''}", answer.status_code, error[:48]))
        story.table("Bad requests", ("request", "status", "error (JSON)"), rows)
        story.check(all_json, "unknown ids and URLs answer 404, malformed bodies 400, a wrong method 405, each as JSON with an 'error'")
        story.check(worker.count(r"Task \S+build_report\[\S+\] succeeded") == 2,
                    "the worker built the 2 good reports")
    return story.exit_code


def forget(store, job_ids) -> None:
    """Remove the demo's job records and results from Redis."""
    for job_id in filter(None, job_ids):
        store.delete(f"lesson21:report:{job_id}", f"celery-task-meta-{job_id}")


if __name__ == "__main__":
    sys.exit(main())
