"""Exercise 21, the web app: start a report, then ask how far it got.

    python app.py                 # http://127.0.0.1:5021
    curl -i -X POST -H 'content-type: application/json' -d '{"title": "Q4", "pages": 8}' http://127.0.0.1:5021/reports
    curl http://127.0.0.1:5021/reports/<id>

The reference solution: POST queues the job (delay) and answers 202 at once with the job's URL;
the worker does the slow part, and GET /reports/<id> reads its state from the result backend.
"""

import argparse

from flask import Flask, jsonify, request, url_for

from tasks import app as celery_app
from tasks import build_report

app = Flask(__name__)


@app.post("/reports")
def start_report():
    data = request.get_json(silent=True) or {}
    title = str(data.get("title", "Quarterly report"))
    pages = int(data.get("pages", 10))
    # Queue the job and answer at once: a worker does the slow part.
    result = build_report.delay(title, pages=pages)
    url = url_for("report_status", job_id=result.id)
    return jsonify(id=result.id, url=url), 202, {"Location": url}


@app.get("/reports/<job_id>")
def report_status(job_id):
    meta = celery_app.backend.get_task_meta(job_id)  # state and meta in one read (lesson 21)
    body = {"id": job_id, "state": meta["status"]}
    if meta["status"] == "PROGRESS":
        body["progress"] = meta["result"]  # {"current": 3, "total": 8}
    elif meta["status"] == "SUCCESS":
        body["result"] = meta["result"]
    elif meta["status"] == "FAILURE":
        body["error"] = str(meta["result"])
    return jsonify(body)


def main(argv=None):
    parser = argparse.ArgumentParser(description="The report web app.")
    parser.add_argument("--port", type=int, default=5021, help="the port on 127.0.0.1")
    args = parser.parse_args(argv)
    app.run(host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
