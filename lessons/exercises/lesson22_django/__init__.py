"""Exercise 22: send a Django task when the transaction commits (delay_on_commit)."""

import shutil
import socket
import sqlite3
import tempfile

from lessons.exercises import Exercise
from lessons.waiting import eventually


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_in_database(database, order_id) -> str | None:
    """The order's status as the database has it, read from outside Django."""
    with sqlite3.connect(database, timeout=5) as db:
        row = db.execute("SELECT status FROM orders_order WHERE id = ?", (order_id,)).fetchone()
    return row[0] if row else None


def check(ck):
    import requests

    folder = tempfile.mkdtemp(prefix="exercise22-")
    ck.cleanup(lambda: shutil.rmtree(folder, ignore_errors=True), always=True)
    database = f"{folder}/db.sqlite3"
    env = {"EXERCISE22_DATABASE": database}
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    ck.section("The database is migrated; a worker and the Django server start")
    migrate = ck.run_file("manage.py", "migrate", "--noinput", timeout=60, name="migrate", env=env, echo=False)
    ck.require(migrate.returncode == 0, "manage.py migrate made the database", ck.diagnose(migrate))
    worker = ck.start_worker(app="proj", env=env, wait=False)
    server = ck.start_file("manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", name="django",
                           env=env, echo=False)
    ck.wait_until_ready(worker)
    ck.wait_for_line(server, r"Quit the server with", 30, "start the development server")

    ck.section("POST /orders/ {\"item\": \"book\", \"quantity\": 2}")
    answer = requests.post(f"{base}/orders/", json={"item": "book", "quantity": 2}, timeout=10)
    ck.require(answer.status_code == 201, "the order was created (201)",
               f"POST /orders/ answered {answer.status_code}: {answer.text[:200]}")
    order_id = answer.json()["id"]
    eventually(lambda: status_in_database(database, order_id) == "confirmed"
               or worker.count(r"confirm_order\[\S+\] raised expected: DoesNotExist"), timeout=10, interval=0.1)
    failed = worker.count(r"confirm_order\[\S+\] raised expected: DoesNotExist")
    ck.expect(status_in_database(database, order_id) == "confirmed",
              f"the worker confirmed order {order_id}: its row says 'confirmed'",
              f"order {order_id} stays '{status_in_database(database, order_id)}': confirm_order ran before the "
              "transaction committed and found no order (Order.DoesNotExist)." if failed else
              f"order {order_id} stays '{status_in_database(database, order_id)}': confirm_order did not confirm it "
              "within 10 s.")

    ck.section("POST /orders/ with a declined card: the transaction is rolled back")
    received = worker.count(r"confirm_order\[\S+\] received")
    declined = requests.post(f"{base}/orders/", json={"item": "lamp", "quantity": 1, "card": "declined"}, timeout=10)
    ck.expect(declined.status_code == 402, "the order was refused (402) and not saved",
              f"POST /orders/ with a declined card answered {declined.status_code}, not 402.")
    # No waiting for a task that must not come: one more good order goes through the same queue.
    # A task wrongly sent for the rolled-back order was published before it, so the worker (one
    # consumer, FIFO) received it first; once every task it received has finished and the good
    # order is confirmed, its log holds every task that was sent.
    good = requests.post(f"{base}/orders/", json={"item": "pen", "quantity": 1}, timeout=10)
    ck.require(good.status_code == 201, "one more order was created (201)",
               f"POST /orders/ answered {good.status_code}: {good.text[:200]}")
    finished = r"confirm_order\[\S+\] (?:succeeded|raised)"
    settled = eventually(lambda: status_in_database(database, good.json()["id"]) == "confirmed"
                         and worker.count(finished) == worker.count(r"confirm_order\[\S+\] received"), timeout=20)
    ck.require(settled, "the next order was confirmed, and every task the worker received finished",
               f"order {good.json()['id']} was not confirmed within 20 s.")
    sent = worker.count(r"confirm_order\[\S+\] received") - received - 1
    ck.expect(sent == 0, "no confirm_order task was sent for the order that was rolled back",
              f"{sent} confirm_order task(s) reached the worker for an order that was rolled back: the task "
              "was sent before the transaction ended. Send it only when it commits.")


EXERCISES = (
    Exercise(
        name="on-commit",
        title="Send the task when the transaction commits",
        files=("orders/views.py",),
        task="In orders/views.py, send confirm_order only when the transaction that creates the order "
             "commits, and never when it is rolled back (a declined payment).",
        check=check,
        hints=(
            "Inside transaction.atomic(), nothing is committed until the block ends: a worker that "
            "reads the database meanwhile does not see the new order. A message sent to the broker, "
            "though, cannot be rolled back.",
            "Django can run a function after the current transaction commits (and never if it rolls "
            "back): transaction.on_commit(...). Celery 5.4+ gives every task a shortcut for it.",
            "    confirm_order.delay_on_commit(order.pk)\n"
            "(or: transaction.on_commit(functools.partial(confirm_order.delay, order.pk)))",
        ),
        starter_says=r"\[no\] order \d+ stays 'new': confirm_order ran before the transaction committed",
        deadline=90,
    ),
)


