"""Lesson 10's story in one terminal: the management HTTP API, a live watcher, a limited user, a diagram.

    make lesson-10            (or: python -m lessons run 10)

The screenshots in the README come from `python -m rabbitmq_basics.lesson10_management.screenshots`.
"""

import json
import sys
import tempfile
from pathlib import Path

from lessons import broker, settings
from lessons.management import Management
from lessons.processes import ReadinessTimeout
from lessons.story import Story, wait_until

from .limited_user import PASSWORD, USER, VHOST, amqp_url

LESSON = "rabbitmq_basics.lesson10_management"
QUEUES = ("lesson10.tasks", "lesson10.audit")
EXCHANGE = "lesson10.events"
TASKS = 24


def tidy() -> bool:
    removed = broker.delete_queues(*QUEUES)
    broker.delete_exchanges(EXCHANGE)
    return bool(removed)


def remove_user_and_vhost() -> None:
    management = Management()
    management.delete("users", USER)
    management.delete_vhost(VHOST)


def policy_of(queue: str) -> str | None:
    """The policy the management API shows on a queue of the sandbox vhost (it shows up within seconds)."""
    sandbox = Management(vhost=VHOST)
    try:
        return wait_until(lambda: (sandbox.queue(queue) or {}).get("policy"), timeout=12, interval=0.5,
                          what=f"a policy on {queue}")
    except ReadinessTimeout:
        return None


def main(argv=None) -> int:
    with Story(10, argv) as story:
        management = Management()
        leftovers = tidy()
        if any(u["name"] == USER for u in management.get("users")):
            leftovers = True
        remove_user_and_vhost()
        if leftovers:
            story.say("(Starting fresh: removed what an earlier run left behind.)")
        story.cleanup(tidy)
        story.cleanup(remove_user_and_vhost, always=True)  # never leave a user or a vhost behind

        story.section("A producer, a slow consumer, and a live queue-depth watcher")
        story.say("The watcher reads GET /api/queues/<vhost>; the broker refreshes those numbers every 5 s.")
        story.run("producer", f"{LESSON}.producer", "--count", "0")  # declare the exchange and queues
        watcher = story.start("watcher", f"{LESSON}.watch_queues", "--interval", "0.5",
                              ready=r"\[\*\] Watching")
        consumer = story.start("consumer", f"{LESSON}.slow_consumer", "--delay", "0.25",
                               "--max-messages", str(TASKS), ready=r"\[\*\] Waiting")
        producer = story.start("producer", f"{LESSON}.producer", "--count", str(TASKS), "--rate", "30",
                               echo=False)
        producer.wait_for(r"Sent 'task 3'")
        wait_until(lambda: any(c.get("client_properties", {}).get("connection_name") == "lesson10 slow consumer"
                               for c in management.get("connections")),
                   timeout=15, interval=0.5, what="the management API to list the consumer's connection")

        story.section("The HTTP API from Python: overview, queues with depth and rates, connections")
        tour = story.run("api_tour", f"{LESSON}.api_tour")
        story.check(tour.count(r"RabbitMQ \d+\.\d+\.\d+ on Erlang") == 1, "GET /api/overview: the broker's version")
        story.check(tour.count(r"^\s+lesson10\.tasks\s+classic") == 1 and tour.count(r"^\s+lesson10\.audit\s+classic") == 1,
                    "GET /api/queues/<vhost> lists both queues with their depth and rates")
        story.check(tour.count(r"'lesson10 slow consumer': user") == 1,
                    "GET /api/connections shows the consumer by the connection_name it chose")

        story.say(f"(The producer's {TASKS} ' [x] Sent' lines are not shown.)")
        producer.wait(timeout=20)
        consumer.wait(timeout=30)
        watcher.wait_for(rf"lesson10\.audit: ready {TASKS},", timeout=15)
        watcher.stop()
        story.check(consumer.count(r"\[x\] Done 'task") == TASKS, f"the slow consumer did all {TASKS} tasks")
        story.check(watcher.count(rf"lesson10\.audit: ready {TASKS},") >= 1,
                    f"the watcher saw {TASKS} messages pile up in lesson10.audit (nobody consumes it)")
        story.check(broker.queue_depth("lesson10.tasks") == 0,
                    "lesson10.tasks is empty, says a passive declare (the watcher's numbers lag up to 5 s)")

        story.section("Administration: a vhost, a policy, a user who may only read")
        admin = story.run("admin", f"{LESSON}.limited_user", "--keep")
        story.check(admin.count(r"read 'report 1' from 'lesson10.reports'") == 1,
                    "the read-only user could get a message (read '.*')")
        story.check(admin.count(r"declaring a queue is refused: 403 ACCESS_REFUSED") == 1
                    and admin.count(r"publishing is refused: 403 ACCESS_REFUSED") == 1,
                    "declaring and publishing were refused: 403 ACCESS_REFUSED (configure '^$', write '^$')")
        story.check(policy_of("lesson10.reports") == "lesson10-max-length",
                    "the management API shows the policy 'lesson10-max-length' applied to lesson10.reports")
        story.say("The same user runs this lesson's producer, which declares an exchange:")
        refused = story.run("producer", f"{LESSON}.producer", "--count", "1",
                            env={"AMQP_URL": amqp_url(USER, PASSWORD)}, expect_code=1)
        story.check(refused.count(r"refused access") == 1 and "Traceback" not in refused.output,
                    "the producer ended with one sentence about ACCESS_REFUSED, no traceback")
        remove_user_and_vhost()
        users = {u["name"] for u in management.get("users")}
        vhosts = {v["name"] for v in management.get("vhosts")}
        story.check(USER not in users and VHOST not in vhosts, "the user and the vhost are deleted again")

        story.section("Definitions export, drawn as a mermaid diagram")
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "definitions.json"
            drawing = story.run("topology", f"{LESSON}.topology", "--out", str(out))
            definitions = json.loads(out.read_text())
        names = {q["name"] for q in definitions["queues"]}
        story.check(set(QUEUES) <= names, "the exported definitions hold both queues")
        story.check(drawing.count(r'x_lesson10_events -- "task\.\*" --> q_lesson10_tasks') == 1
                    and drawing.count(r'x_lesson10_events -- "#" --> q_lesson10_audit') == 1,
                    "the diagram draws the topic exchange's two bindings: task.* and #")

        story.section("When the management API is down, or the password is wrong")
        wrong = settings.MANAGEMENT_URL.replace(":course@", ":wrong@", 1)
        bad = story.run("api_tour", f"{LESSON}.api_tour", env={"MANAGEMENT_URL": wrong}, expect_code=1)
        story.check(bad.count(r"refused user '.*' \(401") == 1 and "Traceback" not in bad.output,
                    "wrong password: one sentence with the URL and the fix")
        down = story.run("api_tour", f"{LESSON}.api_tour",
                         env={"MANAGEMENT_URL": "http://course:course@127.0.0.1:1/api/"}, expect_code=1)
        story.check(down.count(r"does not answer at http://127\.0\.0\.1:1/api/.*rabbitmq-plugins enable") == 1,
                    "management API down: one sentence with the URL and the fix")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
