"""Lesson 19's test helpers: a free port for Flower, a worker + Flower as a learner runs them, and
a look for processes of this lesson that outlived a run."""

from __future__ import annotations

import socket
from contextlib import contextmanager

from helpers import lesson_processes, start_role

from lessons import broker

LESSON = "celery_basics.lesson19_flower"
QUEUE = "lesson19_flower"


def flower_lesson_processes(port: int) -> list[str]:
    """Lesson 19's live processes whose Flower is on `port` (each test uses its own port)."""
    return lesson_processes(LESSON, FLOWER_URL=f"http://127.0.0.1:{port}")


def flower_env(port: int, **extra: str) -> dict:
    return {"FLOWER_URL": f"http://127.0.0.1:{port}", **extra}


def flower_tasks(port: int) -> dict:
    """Flower's /api/tasks, asked with the lesson's default credentials."""
    import requests

    response = requests.get(f"http://127.0.0.1:{port}/api/tasks", auth=("course", "course"), timeout=10)
    response.raise_for_status()
    return response.json()


def wait_for_finished_tasks(port: int, count: int, timeout: float = 20) -> dict:
    """Wait until Flower's history holds `count` tasks, all finished (SUCCESS or FAILURE)."""
    from lessons.story import wait_until

    def finished():
        tasks = flower_tasks(port)
        done = [t for t in tasks.values() if t["state"] in ("SUCCESS", "FAILURE")]
        return tasks if len(done) == len(tasks) == count else None

    return wait_until(finished, timeout=timeout, interval=0.3,
                      what=f"Flower to list {count} finished tasks")


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@contextmanager
def worker_and_flower(port: int):
    """The worker role and the flower role on `port`, as in two terminals; stopped on exit."""
    env = flower_env(port)
    worker = start_role(19, "worker", "--hostname", "w19@%h", "--concurrency", "2", env=env)
    flower = None
    try:
        worker.wait_for(r"\bready\.", timeout=40)
        flower = start_role(19, "flower", env=env)
        flower.wait_for(r"Connected to amqp", timeout=30)
        yield worker, flower
    finally:
        if flower is not None:
            flower.stop()
        worker.stop()
        broker.delete_queues(QUEUE)
        broker.delete_exchanges(QUEUE)
