"""Exercise 19: worker and client events, so Flower sees the tasks."""

import socket
import sys

from lessons.exercises import Exercise
from lessons.waiting import eventually


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check(ck):
    import requests

    from lessons import settings
    from lessons.management import Management

    port = free_port()
    ck.section(f"A worker (without -E) and Flower (on 127.0.0.1:{port}, basic auth) start")
    worker = ck.start_worker(app="tasks", wait=False)
    flower = ck.start_program("flower", [sys.executable, "-m", "celery", "-A", "tasks", "flower",
                                         "--address=127.0.0.1", f"--port={port}"],
                              env={"FLOWER_BASIC_AUTH": settings.FLOWER_BASIC_AUTH})
    ck.wait_until_ready(worker)
    ck.wait_for_line(flower, rf"Visit me at http://127\.0\.0\.1:{port}", 30, "start")
    events = worker.matches(r"task events: (ON|OFF)")
    ck.expect(events and events[0].group(1) == "ON", "the worker's banner says 'task events: ON'",
              "the worker's banner says 'task events: OFF': it sends no task events, so Flower never hears "
              "of its tasks.")
    # Events sent before Flower's receiver has bound its queue to 'celeryev' are lost to it.
    ck.wait_for_line(flower, r"Connected to amqp", 30, "connect its event receiver to the broker")
    management = Management()
    eventually(lambda: any(b["source"] == "celeryev" and b["routing_key"] == "#" for b in management.bindings()),
               timeout=10, interval=0.1)

    ck.section("client.py makes three thumbnails")
    run = ck.run_file("client.py", timeout=25, name="client")
    ck.require(run.returncode == 0 and run.count(r"\[\.\] ") == 3, "client.py got its three results",
               f"client.py did not get its three results: {ck.diagnose(run)}")
    ids = [m.group(1) for m in run.matches(r"\[x\] Sent (\S+)")]
    ck.task_ids.extend(ids)
    session = requests.Session()
    session.auth = tuple(settings.FLOWER_BASIC_AUTH.split(":", 1))
    known = {}

    def all_listed():
        nonlocal known
        response = session.get(f"http://127.0.0.1:{port}/api/tasks", timeout=5)
        response.raise_for_status()
        known = {task_id: info for task_id, info in response.json().items() if task_id in ids}
        return len(known) == 3 and all(i.get("state") == "SUCCESS" and i.get("sent") for i in known.values())

    eventually(all_listed, timeout=20 if events and events[0].group(1) == "ON" else 3, interval=0.3)
    done = [i for i in known.values() if i.get("state") == "SUCCESS"]
    ck.expect(len(done) == 3, "Flower lists the three tasks as SUCCESS, with the worker that ran them",
              f"Flower lists {len(done)} of the three tasks as done: it knows only what the worker's "
              "task events tell it (worker_send_task_events).")
    sent = [i for i in known.values() if i.get("sent")]
    ck.expect(len(sent) == 3, "Flower knows when each was sent (the client's task-sent events)",
              f"Flower knows when {len(sent)} of the three tasks were sent: the client sends no "
              "'task-sent' events (task_send_sent_event).")


EXERCISES = (
    Exercise(
        name="events-for-flower",
        title="Events, so Flower sees the tasks",
        files=("tasks.py",),
        task="Configure the app in tasks.py so that workers send task events and clients send "
             "task-sent events, without -E: Flower then lists every task and when it was sent.",
        check=check,
        hints=(
            "Flower does not look into queues or the result backend: it listens to events. Workers "
            "send task events only when told to; senders send a 'task-sent' event only when told to.",
            "Two settings: one for the workers (what the -E option switches on), one for whoever "
            "sends tasks. Both start with the side they concern: worker_... and task_...",
            "    worker_send_task_events=True,\n    task_send_sent_event=True,",
        ),
        starter_says=r"\[no\] the worker's banner says 'task events: OFF'",
        deadline=75,
    ),
)
