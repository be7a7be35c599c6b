"""Lesson 19, a small client for Flower's HTTP API and its Prometheus metrics.

Flower 2.x answers its API (/api/...) only with credentials: basic auth here, from
FLOWER_BASIC_AUTH. /metrics and /healthcheck answer anyone who can reach the port, which is one
reason the lesson binds Flower to 127.0.0.1.

    import flower_api
    flower_api.tasks()            # {task id: {name, state, received, started, runtime, worker, ...}}
    flower_api.workers()          # {worker name: {stats, active_queues, registered, ...}}
    flower_api.queue_lengths()    # {queue name: messages waiting}
    flower_api.metrics()          # [(metric name, labels, value), ...]
"""

import os

import requests
from prometheus_client.parser import text_string_to_metric_families

FLOWER_URL = os.environ.get("FLOWER_URL", "http://127.0.0.1:5555")
FLOWER_BASIC_AUTH = os.environ.get("FLOWER_BASIC_AUTH", "course:course")

BASE = FLOWER_URL.rstrip("/")
CREDENTIALS = tuple(FLOWER_BASIC_AUTH.split(":", 1))  # (user, password) for basic auth


def get(path, auth=True, **params):
    """GET a Flower API path with basic auth; the JSON answer."""
    response = requests.get(BASE + path, auth=CREDENTIALS if auth else None, params=params, timeout=10)
    response.raise_for_status()  # 401 Unauthorized: a wrong (or no) FLOWER_BASIC_AUTH
    return response.json()


def tasks(**params):
    """The task history Flower has built from events; params: limit, state, taskname, ..."""
    return get("/api/tasks", **params)


def task_info(task_id):
    """One task as Flower knows it, or None when Flower has not seen it (yet)."""
    try:
        return get(f"/api/task/info/{task_id}")
    except requests.HTTPError as exc:
        if exc.response is not None and exc.response.status_code == 404:
            return None
        raise


def workers(refresh=False):
    """Each worker's stats, queues and registered tasks; refresh=True asks the workers again."""
    return get("/api/workers", refresh="1") if refresh else get("/api/workers")


def queue_lengths():
    """Messages waiting in each queue a worker consumes (Flower asks the management API)."""
    answer = get("/api/queues/length")
    return {queue["name"]: queue.get("messages", 0) for queue in answer["active_queues"]}


def metrics():
    """Flower's Prometheus metrics (no auth needed) as (name, labels, value) samples."""
    response = requests.get(BASE + "/metrics", timeout=10)
    response.raise_for_status()
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    ]
