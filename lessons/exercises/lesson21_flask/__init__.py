"""Exercise 21: a Flask endpoint that queues the slow work and answers 202 at once."""

import socket

from lessons.exercises import Exercise
from lessons.waiting import eventually

PAGES = 10  # 10 x 0.3 s of work in the task
ANSWER_WITHIN = 2.5  # seconds: the work takes 3 s; a queued job is answered in milliseconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check(ck):
    import requests

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ck.section(f"A worker and your app.py (on port {port}) start")
    worker = ck.start_worker(app="tasks", wait=False)
    web = ck.start_file("app.py", "--port", str(port), name="app", echo=False)
    ck.wait_until_ready(worker)
    ck.wait_for_line(web, rf"Running on http://127\.0\.0\.1:{port}", 20, f"listen on port {port}")

    ck.section(f"POST /reports {{\"title\": \"Q4\", \"pages\": {PAGES}}} ({PAGES * 0.3:.1f} s of work)")
    try:
        answer = requests.post(f"{base}/reports", json={"title": "Q4", "pages": PAGES}, timeout=ANSWER_WITHIN)
    except requests.Timeout:
        ck.stop(f"POST /reports did not answer within {ANSWER_WITHIN:g} s: it does the whole report inside "
                "the request. Queue the job with Celery (delay) and answer at once.")
    ck.expect(answer.status_code == 202, "it answered at once, with 202 Accepted",
              f"it answered {answer.status_code}, not 202 Accepted (the job is queued, not done).")
    try:
        body = answer.json()
    except ValueError:
        body = {}
    task_id, url = body.get("id"), body.get("url")
    ck.require(task_id and url == f"/reports/{task_id}", f"its JSON holds the job's id and url /reports/{task_id}",
               f"its JSON is {body}: it should be {{\"id\": <task id>, \"url\": \"/reports/<task id>\"}}.")
    ck.task_ids.append(task_id)
    ck.expect(answer.headers.get("Location", "").endswith(url), "the Location header points there too",
              f"the Location header is {answer.headers.get('Location')!r}, not the job's URL.")

    ck.section(f"GET {url} until the job is done")
    states, status = [], {}  # the states seen, without repeats; the last answer

    def ended():
        nonlocal status
        status = requests.get(base + url, timeout=5).json()
        if not states or states[-1] != status.get("state"):
            states.append(status.get("state"))
        return status.get("state") in ("SUCCESS", "FAILURE")

    eventually(ended, timeout=15, interval=0.1)
    ck.say(f"States seen: {' -> '.join(map(str, states))}")
    ck.expect("PROGRESS" in states, "meanwhile it showed the job's PROGRESS",
              "it never showed PROGRESS while the job ran.")
    ck.expect(states and states[-1] == "SUCCESS" and status.get("result") == {"title": "Q4", "pages": PAGES},
              f"then SUCCESS with the report {{'title': 'Q4', 'pages': {PAGES}}}",
              f"the job ended {states[-1] if states else 'nowhere'} with {status.get('result')!r}.")
    ck.expect(ck.lines_soon(worker, rf"build_report\[{task_id}\] succeeded"), "the worker built it, not the web app",
              "the worker never ran the job.")


EXERCISES = (
    Exercise(
        name="answer-at-once",
        title="Answer at once: 202 and the job's URL",
        files=("app.py",),
        task="Make POST /reports in app.py queue build_report with Celery and answer at once: 202, "
             "{\"id\": ..., \"url\": \"/reports/<id>\"} and a Location header.",
        check=check,
        hints=(
            "A web request should only hand the job over: the worker does it, and the client comes "
            "back for the state. HTTP has a status for 'accepted, not done yet'.",
            "build_report.delay(title, pages=pages) returns at once with an AsyncResult whose .id is "
            "the job's id. Answer 202 with a URL the client can poll (GET /reports/<id> exists).",
            "    result = build_report.delay(title, pages=pages)\n"
            "    url = url_for(\"report_status\", job_id=result.id)   # from flask import url_for\n"
            "    return jsonify(id=result.id, url=url), 202, {\"Location\": url}",
        ),
        starter_says=r"\[no\] POST /reports did not answer within 2\.5 s",
        deadline=75,
    ),
)
