"""Lesson 17 end to end: routes and named workers, priorities, the control API, prefetch; then a
route to a queue that no worker consumes, seen from the management API."""

import re

from helpers import assert_clean_run, lesson_processes, run_lesson

from lessons import broker
from lessons.story import wait_until

QUEUES = ("lesson17_default", "lesson17_media", "lesson17_batch", "lesson17_archive")


def test_demo_checks_which_worker_ran_which_task(management):
    out = assert_clean_run(run_lesson(17))
    ran = re.findall(r"client \|  \[\.\] (\w+) \S+(?: \(priority (\d)\))? ran on (\w+)@", out)
    assert {worker for task, _, worker in ran if task == "resize_image"} == {"media"}
    assert {worker for task, _, worker in ran if task == "send_email"} == {"default"}
    assert [int(p) for task, p, _ in ran if task == "resize_image"] == [9, 7, 4, 1, 0]
    assert re.search(r"media@\S+: pong; queues: lesson17_media; concurrency 1; prefetch_count 1", out)
    assert re.search(r"->\s+default@\S+: OK", out)  # celery inspect active_queues
    early = re.findall(r"(long|short)-\d ran on (early-\d)@", out)
    fair = re.findall(r"(long|short)-\d ran on (fair-\d)@", out)
    assert len(early) == len(fair) == 8
    assert len({worker for kind, worker in early if kind == "long"}) == 1
    assert len({worker for kind, worker in fair if kind == "long"}) == 2
    finished = [float(s) for s in re.findall(r"The batch finished in ([\d.]+) s", out)]
    print(f"prefetch comparison: default {finished[0]:.2f} s, prefetch 1 + acks_late {finished[1]:.2f} s")
    assert "messages=1, consumers=0" in out
    # One worker on two queues: global prefetch shared on 3.x, per consumer on 4.x (kombu 5.7).
    held = {queue: int(n) for queue, n in re.findall(r"│ (lesson17_\w+) +│ \d+ +│ \d+ +│ (\d+) +│", out)}
    version = management.overview()["rabbitmq_version"]
    print(f"one worker on two queues, prefetch 4, RabbitMQ {version}: held {held}")
    assert set(held) == {"lesson17_batch", "lesson17_archive"}
    if int(version.split(".")[0]) >= 4:
        assert held == {"lesson17_batch": 4, "lesson17_archive": 4}
    else:
        assert sum(held.values()) == 4
    # Nothing left behind.
    names = {queue["name"] for queue in management.queues()}
    assert not names & set(QUEUES)
    assert "lesson17" not in {exchange["name"] for exchange in management.exchanges()}
    assert lesson_processes("lesson17_routing") == []


def test_route_to_a_queue_nobody_consumes_waits_there(management):
    result = run_lesson(17, "--images", "0", "--emails", "0", "--archive", "2", role="client")
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("routed to 'lesson17_archive', where nobody listens") == 2
    try:
        # The management API fills in counts (and the consumers field) with a lag of up to 5 s: poll.
        queue = wait_until(lambda: (q := management.queue("lesson17_archive")) and q.get("messages") == 2 and q.get("messages_ready") == 2 and "consumers" in q and q,
                           timeout=15, what="the management API to count 2 messages")
        assert queue["consumers"] == 0 and queue["messages_ready"] == 2
        assert broker.queue_depth("lesson17_archive") == 2
    finally:
        broker.delete_queues("lesson17_archive")
        broker.delete_exchanges("lesson17")


def test_inspect_without_workers_says_so():
    result = run_lesson(17, "--timeout", "0.5", role="inspect_workers")
    assert result.returncode == 1
    assert "No worker answered the ping. Start one: make lesson-17 ROLE=worker" in result.stdout
    assert "Traceback" not in result.stdout
