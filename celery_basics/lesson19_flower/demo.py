"""Lesson 19's story in one terminal: Flower watches two workers run a mix of tasks.

    make lesson-19            (or: python -m lessons run 19)
    python -m lessons run 19 -- --charts DIR --screenshots DIR

Two workers with events on, then Flower (basic auth, 127.0.0.1, --broker_api), then a mix of
fast, slow, failing, retried and progress-reporting tasks. The demo reads Flower's API and
/metrics, checks they agree with what was sent, and draws charts from them.
"""

import socket
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import requests

from celery_basics.lesson19_flower import charts, flower_api
from lessons import broker, settings
from lessons.errors import CourseError
from lessons.story import Story, wait_until

LESSON = "celery_basics.lesson19_flower"
TASKS = "tasks"
QUEUE = "lesson19_flower"
WORKERS = ("worker-1", "worker-2")
FAST, SLOW, SLOW_SECONDS, FAIL, FLAKY, FLAKY_FAILURES = 8, 2, 1.0, 1, 1, 2
STEPS, STEP_DELAY = 5, 0.4
EXPECTED_STATES = Counter({"SUCCESS": FAST + SLOW + FLAKY + 1, "FAILURE": FAIL})


def _options(parser):
    parser.add_argument("--charts", type=Path, default=charts.DEFAULT_FOLDER,
                        help="folder for the chart PNGs (default: %(default)s)")
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="also save screenshots of Flower's tasks and workers pages there")


def check_port_free(port, host="127.0.0.1"):
    """Raise a CourseError naming the port and FLOWER_URL when something already listens there."""
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise CourseError(
                f"Port {port} on {host} is already taken, so Flower cannot listen there: another "
                "Flower (the compose stack's 'flower' service, or an earlier run) or another "
                f"program uses it. Stop it (for the compose one: 'docker compose stop flower'), or "
                f"give this lesson another port: FLOWER_URL=http://127.0.0.1:5556 make lesson-19."
            ) from None


def _status(path, auth):
    return requests.get(flower_api.BASE + path, auth=auth, timeout=10).status_code


def _forget(task_ids):
    from celery_basics.lesson19_flower.tasks import app  # only to reach the result backend

    for task_id in task_ids:
        app.AsyncResult(task_id).forget()


def workers_with_events(story) -> set[str]:
    story.section("Two workers that send events (-E), so Flower can follow their tasks")
    workers = [story.start_worker(name, TASKS, "--concurrency", "2", "-E", ready=None) for name in WORKERS]
    for worker in workers:
        worker.wait_for(r"\bready\.", timeout=40)
    return {w.wait_for(r"\b(\S+@\S+) ready\.").group(1) for w in workers}


def flower_behind_basic_auth(story, port: int, hostnames: set[str]) -> None:
    story.section("Flower, on 127.0.0.1 only, behind basic auth")
    story.say(f"celery -A tasks flower   (its options in flowerconfig.py: 127.0.0.1, port {port} "
              "from FLOWER_URL, basic auth from FLOWER_BASIC_AUTH, --broker_api from "
              "MANAGEMENT_URL; Flower reads flowerconfig.py from the folder it runs in)")
    flower = story.start_role("flower", "flower", ready=r"Connected to amqp", timeout=30)
    story.check(flower.count(rf"Visit me at http://127\.0\.0\.1:{port}") == 1,
                f"Flower listens on 127.0.0.1:{port} (the port of FLOWER_URL)")
    seen = wait_until(lambda: hostnames <= set(flower_api.workers(refresh=True)), timeout=20,
                      what="Flower to see both workers")
    story.check(bool(seen), f"Flower's /api/workers lists both workers: {', '.join(sorted(hostnames))}")

    user, _ = settings.flower_credentials()
    story.check(_status("/api/tasks", None) == 401, "the API refuses a call without credentials: 401")
    story.check(_status("/api/tasks", (user, "not-the-password")) == 401, "the API refuses a wrong password: 401")
    story.check(_status("/metrics", None) == 200,
                "/metrics answers without credentials (for Prometheus): one reason to bind to 127.0.0.1")


def send_the_mix(story, sent_ids: list[str]) -> dict[str, str]:
    """The client's tasks, then the progress role's report; returns {task id: task name}."""
    story.section("The client sends fast, slow, failing and retried tasks")
    client = story.run("client", f"{LESSON}.client", "--fast", FAST, "--slow", SLOW,
                       "--seconds", SLOW_SECONDS, "--fail", FAIL, "--flaky", FLAKY)
    sent = {m.group(2): m.group(1) for m in client.matches(r"Sent (lesson19\.\w+)\(.*\) id=(\S+)")}
    sent_ids.extend(sent)

    story.section("Progress: the result backend knows PROGRESS, Flower only knows the events")
    progress = story.run("progress", f"{LESSON}.progress", "--steps", STEPS, "--delay", STEP_DELAY)
    report_id = progress.wait_for(r"Sent lesson19\.report\(.*\) id=(\S+)").group(1)
    sent[report_id] = "lesson19.report"
    sent_ids.append(report_id)
    rows = [m.groups() for m in progress.matches(r"result backend: (\w+)(.*?)\s*\| Flower: (.+)$")]
    steps_seen = {detail for state, detail, _ in rows if state == "PROGRESS"}
    flower_during = {flower_state for state, _, flower_state in rows if state == "PROGRESS"}
    story.check(len(steps_seen) >= 2,
                f"the result backend showed the PROGRESS state with {len(steps_seen)} different steps")
    story.check("PROGRESS" not in flower_during and "STARTED" in flower_during,
                f"meanwhile Flower showed {', '.join(sorted(flower_during))}: its state comes from "
                "events, and no event carries PROGRESS")
    return sent


def task_history(story, sent: dict[str, str], hostnames: set[str]) -> dict[str, dict]:
    """Flower's /api/tasks, /api/workers and /api/queues/length against what was sent."""
    story.section("Flower's task history, workers, queues and metrics (the monitor role)")
    final = {"SUCCESS", "FAILURE"}

    def history_complete():
        tasks = flower_api.tasks()
        return tasks if all(tasks.get(i, {}).get("state") in final for i in sent) else None

    tasks = wait_until(history_complete, timeout=30, interval=0.3, what="Flower to see every task finish")
    story.run("monitor", f"{LESSON}.monitor")

    ours = {i: t for i, t in tasks.items() if i in sent}
    story.check(len(ours) == len(sent) == FAST + SLOW + FAIL + FLAKY + 1,
                f"Flower's /api/tasks holds all {len(sent)} tasks sent, each under its own id")
    story.check(all(ours[i]["name"] == name for i, name in sent.items()), "each with the name it was sent with")
    story.check(Counter(t["state"] for t in ours.values()) == EXPECTED_STATES,
                f"states: {EXPECTED_STATES['SUCCESS']} SUCCESS, {EXPECTED_STATES['FAILURE']} "
                "FAILURE (the task that raised ValueError)")
    flaky = [t for t in ours.values() if t["name"] == "lesson19.flaky"]
    story.check(all(t["retries"] == FLAKY_FAILURES and t["state"] == "SUCCESS" for t in flaky),
                f"the flaky task shows retries={FLAKY_FAILURES}, then SUCCESS, in one row")
    story.check(all(t["sent"] and t["received"] and t["started"] for t in ours.values()),
                "every task has its sent (task_send_sent_event), received and started (-E) times")
    story.check(all(t["worker"] in hostnames for t in ours.values()), "every task ran on one of the two workers")
    slow_runtimes = [t["runtime"] for t in ours.values() if t["name"] == "lesson19.slow"]
    story.check(all(r >= SLOW_SECONDS for r in slow_runtimes),
                f"each slow task's runtime covers its {SLOW_SECONDS:g} s sleep: "
                + ", ".join(f"{r:.2f} s" for r in slow_runtimes))

    executions = Counter({"lesson19.add": FAST, "lesson19.slow": SLOW, "lesson19.fail": FAIL,
                          "lesson19.flaky": FLAKY * (FLAKY_FAILURES + 1), "lesson19.report": 1})
    stats = flower_api.workers(refresh=True)
    counted = Counter()
    for name in hostnames:
        counted.update(stats[name].get("stats", {}).get("total", {}))
    story.check(counted == executions,
                f"the workers' counters add up to {sum(executions.values())} executions "
                f"(the flaky task ran {FLAKY_FAILURES + 1} times)")
    story.check(flower_api.queue_lengths().get(QUEUE) == 0, f"/api/queues/length: 0 messages wait in '{QUEUE}'")
    return ours


def prometheus_metrics(story, sent: dict[str, str]) -> list:
    """/metrics: the events and runtimes of this lesson's tasks; returns them for the charts."""
    events, runtime_count = Counter(), 0
    metrics = [m for m in flower_api.metrics() if m[1].get("task", "").startswith("lesson19.")]
    for name, labels, value in metrics:
        if name == "flower_events_total":
            events[labels["type"]] += int(value)
        elif name == "flower_task_runtime_seconds_count":
            runtime_count += int(value)
    retries = FLAKY * FLAKY_FAILURES
    story.check(events["task-sent"] == len(sent) + retries,
                f"/metrics counts {events['task-sent']} task-sent events: {len(sent)} from the "
                f"clients + {retries} retries (a retry is a new message)")
    story.check(events["task-received"] == events["task-started"] == len(sent) + retries,
                f"{events['task-received']} task-received and task-started events")
    story.check((events["task-succeeded"], events["task-failed"], events["task-retried"])
                == (EXPECTED_STATES["SUCCESS"], FAIL, retries),
                f"{events['task-succeeded']} task-succeeded, {events['task-failed']} task-failed, "
                f"{events['task-retried']} task-retried")
    story.check(runtime_count == EXPECTED_STATES["SUCCESS"],
                f"the runtime histogram observed {runtime_count} runtimes (succeeded tasks only)")
    return metrics


def charts_and_screenshots(story, tasks: dict[str, dict], metrics: list) -> None:
    story.section("Charts drawn from Flower's API and metrics (Flower has no graphs page)")
    paths = charts.draw(tasks, metrics, story.options.charts)
    for path in paths:
        story.say(f"  wrote {path}")
    story.check(all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths),
                f"{len(paths)} PNG charts: runtime histogram, tasks per state, throughput")
    if story.options.screenshots:
        from lessons.flower_pages import capture

        shots = capture(story.options.screenshots)
        for path in shots:
            story.say(f"  wrote {path}")
        story.check(all(p.stat().st_size > 0 for p in shots), "screenshots of the tasks and workers pages")


def wrong_password(story) -> None:
    story.section("A wrong password: the monitor says so in a sentence")
    user, _ = settings.flower_credentials()
    wrong = story.run("monitor", f"{LESSON}.monitor", expect_code=1,
                      env={"FLOWER_BASIC_AUTH": f"{user}:not-the-password"})
    story.check(wrong.count(r"answered 401 Unauthorized") == 1 and "Traceback" not in wrong.output,
                "with a wrong FLOWER_BASIC_AUTH the monitor exits 1 with a 401 sentence")


def main(argv=None) -> int:
    port = urlsplit(settings.FLOWER_URL).port or 5555
    with Story(19, argv, options=_options) as story:
        check_port_free(port)  # a sentence naming the port and FLOWER_URL when it is taken
        story.start_fresh(queues=[QUEUE])
        story.cleanup(lambda: broker.delete_exchanges(QUEUE))
        sent_ids: list[str] = []
        story.cleanup(lambda: _forget(sent_ids))

        hostnames = workers_with_events(story)
        flower_behind_basic_auth(story, port, hostnames)
        sent = send_the_mix(story, sent_ids)
        tasks = task_history(story, sent, hostnames)
        metrics = prometheus_metrics(story, sent)
        charts_and_screenshots(story, tasks, metrics)
        wrong_password(story)
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
