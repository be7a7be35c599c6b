"""Lesson 21, the web app: Flask hands slow work to Celery and answers at once.

    python app.py                 # http://127.0.0.1:5021/
    python app.py --port 0        # any free port (printed)

    POST /reports        {"title": "Q3", "pages": 10}  -> 202, {"id": ..., "url": "/reports/<id>"}
    GET  /reports/<id>   -> {"state": "PROGRESS", "progress": {"current": 3, "total": 10}, ...}
    GET  /               -> a page with a "start" button and a progress bar
"""

import argparse
import logging
import os

import redis
from flask import Flask, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server

from tasks import app as celery_app
from tasks import build_report

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Flask(__name__)

# PENDING means "unknown" to Celery: a typo'd id looks just like a queued job. So the app
# remembers the ids it handed out, and anything else is a 404.
known_jobs = redis.Redis.from_url(REDIS_URL)
JOB_KEY = "lesson21:report:{}"
MAX_PAGES = 100


def bad_request(message):
    return jsonify(error=message), 400


@app.get("/")
def index():
    return render_template("index.html")


@app.post("/reports")
def start_report():
    data = request.get_json(silent=True)  # None when the body is not JSON
    if not isinstance(data, dict):
        return bad_request('send a JSON object, e.g. {"title": "Q3", "pages": 10}')
    title = data.get("title", "Quarterly report")
    pages = data.get("pages", 10)
    fail_at = data.get("fail_at")
    if not isinstance(title, str) or not title.strip():
        return bad_request("'title' must be a non-empty string")
    if not isinstance(pages, int) or isinstance(pages, bool) or not 1 <= pages <= MAX_PAGES:
        return bad_request(f"'pages' must be a whole number from 1 to {MAX_PAGES}")
    if fail_at is not None and (not isinstance(fail_at, int) or isinstance(fail_at, bool)):
        return bad_request("'fail_at' must be a page number or null")

    # Queue the job and answer at once: the worker does the slow part.
    result = build_report.delay(title, pages=pages, fail_at=fail_at)
    known_jobs.set(JOB_KEY.format(result.id), title, ex=3600)

    url = url_for("report_status", job_id=result.id)
    return jsonify(id=result.id, state=result.state, url=url), 202, {"Location": url}


@app.get("/reports/<job_id>")
def report_status(job_id):
    if not known_jobs.exists(JOB_KEY.format(job_id)):
        return jsonify(error=f"no report job with id '{job_id}'"), 404

    # One read of the result backend. AsyncResult(job_id).state and .info would read it once each,
    # and a job that finishes between the two reads has its return value as .info, not the meta.
    meta = celery_app.backend.get_task_meta(job_id)
    state, info = meta["status"], meta["result"]
    body = {"id": job_id, "state": state, "progress": None, "result": None, "error": None}
    if state == "PROGRESS":
        body["progress"] = info  # the meta dict: {"current": 3, "total": 10}
    elif state == "SUCCESS":
        body["result"] = info
        body["progress"] = {"current": info["pages"], "total": info["pages"]}
    elif state == "FAILURE":
        # The exception's message, never the traceback: users see a sentence, not our code.
        body["error"] = str(info)
    return jsonify(body)


@app.errorhandler(HTTPException)
def http_error(exc):
    # 404 for unknown URLs, 405 for a wrong method, ...: JSON, not Flask's HTML page.
    return jsonify(error=exc.description), exc.code


@app.errorhandler(Exception)
def unexpected_error(exc):
    # Redis or RabbitMQ down, or a bug: a sentence (and the traceback in the server log only).
    app.logger.exception("request failed")
    return jsonify(error=f"the server failed to answer ({type(exc).__name__}); see its log"), 500


def main(argv=None):
    parser = argparse.ArgumentParser(description="A Flask app that queues slow reports on Celery.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=5021, help="port to listen on (0: any free one)")
    parser.add_argument("--quiet", action="store_true", help="do not log one line per request")
    args = parser.parse_args(argv)

    if args.quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    # Flask's own development server (Werkzeug): fine for a lesson, not for production.
    server = make_server(args.host, args.port, app, threaded=True)
    print(f" [*] Serving on http://{args.host}:{server.port}/ To exit press CTRL+C")
    server.serve_forever()


if __name__ == "__main__":
    main()
