"""Exercise 21, the web app: start a report, then ask how far it got.

    python app.py                 # http://127.0.0.1:5021
    curl -i -X POST -H 'content-type: application/json' -d '{"title": "Q4", "pages": 8}' http://127.0.0.1:5021/reports
    curl http://127.0.0.1:5021/reports/<id>

TODO: POST /reports builds the whole report inside the request, so the client waits seconds for
an answer (and a busy site runs out of web processes). Hand the job to Celery instead and answer
at once: status 202 Accepted, the JSON {"id": <the task's id>, "url": "/reports/<id>"}, and a
Location header with that URL. GET /reports/<id> already reads the job's state back.
"""

import argparse

from flask import Flask, jsonify, request

from tasks import app as celery_app
from tasks import build_report

app = Flask(__name__)


@app.post("/reports")
def start_report():
    data = request.get_json(silent=True) or {}
    title = str(data.get("title", "Quarterly report"))
    pages = int(data.get("pages", 10))
    # TODO: this runs the task's code here, in the web process, and waits for it.
    report = build_report.apply(args=(title,), kwargs={"pages": pages}).get()
    return jsonify(report), 200


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
