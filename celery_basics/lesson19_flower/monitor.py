"""Lesson 19, the monitor: print what Flower knows, from its HTTP API and its /metrics.

    python monitor.py            (Flower must be running)
    FLOWER_BASIC_AUTH=course:wrong python monitor.py   -> 401

Task history (name, state, received, started, runtime, worker), each worker's counters, the
queue lengths, and the event counters and runtime histogram Flower exports for Prometheus.
"""

import argparse
import os
from collections import Counter
from datetime import datetime

import flower_api

FLOWER_URL = os.environ.get("FLOWER_URL", "http://127.0.0.1:5555")


def clock(timestamp):
    """A Unix timestamp as hh:mm:ss.mmm, or '-' when the event never came."""
    if not timestamp:
        return "-"
    return datetime.fromtimestamp(timestamp).strftime("%H:%M:%S.%f")[:-3]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print Flower's task history, workers, queues and metrics.")
    parser.add_argument("--limit", type=int, default=50, help="show at most this many tasks")
    args = parser.parse_args(argv)

    print(f" [*] Asking Flower at {FLOWER_URL}")
    tasks = flower_api.tasks(limit=args.limit, sort_by="received")
    print(f"\nTask history ({len(tasks)} tasks, oldest first):")
    print(f"  {'name':<16} {'state':<8} {'received':<12} {'started':<12} {'runtime':>8} retries  worker")
    for task in tasks.values():
        runtime = f"{task['runtime']:.3f}s" if task.get("runtime") else "-"
        print(f"  {task['name']:<16} {task['state']:<8} {clock(task['received']):<12} "
              f"{clock(task['started']):<12} {runtime:>8} {task.get('retries') or 0:>7}  {task.get('worker')}")

    print("\nWorkers (tasks each one has processed, from 'celery inspect stats'):")
    for name, info in sorted(flower_api.workers(refresh=True).items()):
        total = info.get("stats", {}).get("total", {})
        counts = ", ".join(f"{task} {n}" for task, n in sorted(total.items())) or "none yet"
        print(f"  {name}: {sum(total.values())} tasks ({counts})")

    print("\nQueues (messages waiting, from the management API via --broker_api):")
    for queue, waiting in sorted(flower_api.queue_lengths().items()):
        print(f"  {queue}: {waiting}")

    events = Counter()
    runtimes = Counter()
    for name, labels, value in flower_api.metrics():
        if name == "flower_events_total":
            events[labels["type"]] += value
        elif name == "flower_task_runtime_seconds_count":
            runtimes[labels["task"]] += value
    print("\nMetrics (/metrics): events by type")
    print("  " + ", ".join(f"{kind} {int(n)}" for kind, n in sorted(events.items()) if kind.startswith("task-")))
    print("Metrics (/metrics): runtimes observed (flower_task_runtime_seconds_count) by task")
    print("  " + ", ".join(f"{task} {int(n)}" for task, n in sorted(runtimes.items())))


if __name__ == "__main__":
    main()
