"""Lesson 22's story in one terminal: Celery inside a Django project, and why on_commit matters.

    make lesson-22            (or: python -m lessons run 22)
"""

import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import redis

from lessons.settings import REDIS_URL
from lessons.story import Story, wait_until

LESSON = "celery_basics.lesson22_django"
QUEUE = "lesson22_django"
HERE = Path(__file__).resolve().parent  # the Django project's folder: manage.py, proj/, orders/
REPO = HERE.parents[1]


def main(argv=None) -> int:
    with Story(22, argv) as story:
        # Celery names the default exchange after the default queue: both go at the end.
        story.start_fresh(queues=[QUEUE], exchanges=[QUEUE])
        folder = Path(tempfile.mkdtemp(prefix="course-lesson22-"))
        story.cleanup(lambda: shutil.rmtree(folder, ignore_errors=True), always=True)
        database = folder / "db.sqlite3"
        env = {"LESSON22_DATABASE": str(database)}
        os.environ.update(env)  # this process runs Django too (the test client below)

        story.section("Django's database: migrations into a temporary folder")
        story.run("manage", f"{LESSON}.manage", "migrate", env=env)
        with sqlite3.connect(database) as db:
            tables = {row[0] for row in db.execute("select name from sqlite_master where type='table'")}
        story.check("orders_order" in tables and not str(database).startswith(str(REPO)),
                    f"the table orders_order exists in {database}, outside the repository")

        story.section("A Celery worker for the Django project (celery -A ...proj worker)")
        worker = story.start_worker("worker", "proj", "--concurrency", "2", env=env)
        story.check(worker.count(r"\. orders\.tasks\.confirm_order") == 1,
                    "autodiscover_tasks() found orders/tasks.py: the worker lists confirm_order")

        import django

        # This process runs the project too (Django's test client), as manage.py would: from the
        # project's folder, with proj.settings.
        if str(HERE) not in sys.path:
            sys.path.insert(0, str(HERE))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
        django.setup()
        from django.test import Client

        from orders.models import Order

        client = Client()
        store = redis.Redis.from_url(REDIS_URL)
        story.cleanup(lambda: forget(store, Order), always=True)

        def post(body, query=""):
            response = client.post(f"/orders/{query}", body, content_type="application/json")
            story.say(f"POST /orders/{query} {body} -> {response.status_code} {response.json()}")
            return response

        def settled(order_id):
            body = client.get(f"/orders/{order_id}/").json()
            return body if body["task"] and body["task"]["state"] in ("SUCCESS", "FAILURE") else None

        story.section("The right way: delay_on_commit() sends the task after the commit")
        response = post({"item": "book", "quantity": 2}, "?work=0.5")
        first = response.json()
        story.check(response.status_code == 201 and first["status"] == "new" and first["task"] is None,
                    "201 Created; the order is 'new' and no task id yet (delay_on_commit returns None)")
        body = wait_until(lambda: settled(first["id"]), timeout=15, what="the order's task")
        story.say(f"GET /orders/{first['id']}/ -> {body}")
        story.check(body["status"] == "confirmed" and body["task"]["state"] == "SUCCESS"
                    and body["task"]["result"]["status"] == "confirmed",
                    "the worker found the row and confirmed it; the view read the result back from Redis")
        story.check(worker.count(r"confirm_order\[\S+\] succeeded") == 1, "the worker logged one success")

        story.section("The wrong way: delay() inside the transaction, which commits 1.5 s later")
        response = post({"item": "lamp", "quantity": 1}, "?send=now&work=1.5")
        second = response.json()
        body = wait_until(lambda: settled(second["id"]), timeout=15, what="the order's task")
        story.say(f"GET /orders/{second['id']}/ -> {body}")
        story.check(body["task"]["state"] == "FAILURE" and body["status"] == "new"
                    and "matching query does not exist" in body["task"]["error"],
                    "the task ran before the commit and failed: 'Order matching query does not exist.'")
        story.check(Order.objects.filter(pk=second["id"]).exists(),
                    "yet the row is there now: the worker was simply too early")
        story.check(worker.count(r"raised expected: DoesNotExist") == 1,
                    "the worker logged it as an expected failure (throws=(ObjectDoesNotExist,)), no traceback")

        story.section("A transaction that rolls back: delay_on_commit() sends nothing")
        before = Order.objects.count()
        response = post({"item": "piano", "quantity": 1, "card": "declined"})
        story.check(response.status_code == 402 and Order.objects.count() == before,
                    "402 Payment Required, and the order row was rolled back")
        response = post({"item": "pen", "quantity": 3})
        body = wait_until(lambda: settled(response.json()["id"]), timeout=15, what="the order's task")
        received = worker.count(r"confirm_order\[\S+\] received")
        story.check(body["status"] == "confirmed" and received == 3,
                    f"the worker received {received} tasks (book, lamp, pen): none for the declined piano")

        story.section("Bad requests: JSON answers")
        rows = []
        for method, path, data, expected in (("GET", "/orders/9999/", None, 404),
                                             ("POST", "/orders/", '{"item": "x"}', 400),
                                             ("POST", "/orders/", '{"item": "x", "quantity": 0}', 400),
                                             ("POST", "/orders/", "not json", 400),
                                             ("GET", "/orders/", None, 405)):
            if method == "GET":
                answer = client.get(path)
            else:
                answer = client.post(path, data, content_type="application/json")
            rows.append((f"{method} {path} {data or ''}", answer.status_code, answer.json()["error"], expected))
        story.table("Bad requests", ("request", "status", "error"), [row[:3] for row in rows])
        story.check(all(status == expected for _, status, _, expected in rows),
                    "an unknown order answers 404, a malformed order 400, a GET on /orders/ 405")

        table = [(o.pk, o.item, o.status, (o.task_id or "")[:8]) for o in Order.objects.order_by("pk")]
        story.table("The orders table at the end", ("id", "item", "status", "task"), table)
        story.check([row[2] for row in table] == ["confirmed", "new", "confirmed"],
                    "book and pen confirmed, lamp left 'new' by the task that came too early")
    return story.exit_code


def forget(store, order_model) -> None:
    """Remove the demo's task results from Redis (the database folder is removed too)."""
    try:
        ids = [o.task_id for o in order_model.objects.exclude(task_id="")]
    except Exception:
        return
    for task_id in ids:
        store.delete(f"celery-task-meta-{task_id}")


if __name__ == "__main__":
    sys.exit(main())
