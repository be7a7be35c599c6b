"""Lesson 12's story in one terminal: a task waits in the 'celery' queue, a worker runs it, then
delay/apply_async options and a small benchmark.

    make lesson-12            (or: python -m lessons run 12)
"""

import json
import sys

from celery_basics.lesson12_first_app.tasks import app
from lessons import broker
from lessons.management import Management
from lessons.story import Story, wait_until

LESSON = "celery_basics.lesson12_first_app"
QUEUES = ("celery", "lesson12_urgent")


def main(argv=None) -> int:
    with Story(12, argv) as story:
        story.start_fresh(queues=QUEUES, exchanges=QUEUES)

        story.section("Call a task while no worker runs: the message waits in the 'celery' queue")
        sent = story.run("client", f"{LESSON}.client", "2", "2", "--no-wait")
        task_id = sent.matches(r"task id (\S+)")[0].group(1)
        story.check(broker.queue_depth("celery") == 1, "the queue 'celery' holds 1 message: the task call")

        message = Management().peek("celery")[0]
        headers = message["properties"]["headers"]
        story.say("The message, fetched over the management API (and put back), is Celery's "
                  "task protocol v2: what to run in the headers, the arguments in the body.")
        story.table("AMQP properties and headers", ("field", "value"),
                    [("content_type", message["properties"]["content_type"]),
                     ("correlation_id", message["properties"]["correlation_id"]),
                     ("routing key", message["routing_key"]),
                     *((f"headers.{key}", value) for key, value in headers.items())])
        story.say(f"Body (JSON: [args, kwargs, embed]): {message['payload']}")
        args, kwargs, embed = json.loads(message["payload"])
        story.check(headers["task"] == "tasks.add" and headers["id"] == task_id
                    and headers["lang"] == "py",
                    "the headers name the task and carry its id (protocol v2)")
        story.check(args == [2, 2] and kwargs == {} and message["properties"]["content_type"] == "application/json",
                    "the body is JSON: args [2, 2], no kwargs")
        story.check(app.AsyncResult(task_id).state == "PENDING", "with no worker, the task's state is PENDING")

        story.section("Start a worker: it takes the waiting task at once")
        worker = story.start_worker("worker", "tasks", "--concurrency", "2",
                                    "--queues", ",".join(QUEUES), "--without-mingle", "--without-gossip")
        worker.wait_for(rf"add\[{task_id}\] succeeded in [\d.e-]+s: 4")
        story.check(worker.count(rf"add\[{task_id}\] received") == 1,
                    "the worker logged 'Task ...add[id] received', then 'succeeded ...: 4'")
        story.check(broker.queue_depth("celery") == 0, "the queue is empty: the worker acked the message")
        story.check(app.AsyncResult(task_id).get(timeout=5) == 4, "the result, 4, is in Redis for anyone with the id")

        story.section("delay() and get(): call and wait for the answer")
        call = story.run("client", f"{LESSON}.client", "3", "4")
        story.check(call.count(r"\[\.\] Got 7 ") == 1, "add.delay(3, 4).get() returned 7")

        story.section("apply_async(countdown=1): not before one second from now")
        call = story.run("client", f"{LESSON}.client", "5", "5", "--countdown", "1")
        waited = float(call.matches(r"Got 10 after ([\d.]+) s")[0].group(1))
        story.check(waited >= 0.9, f"the result came after {waited:.2f} s, not before the countdown")

        story.section("apply_async(countdown=2, expires=1): too late, the worker discards it")
        call = story.run("client", f"{LESSON}.client", "1", "1", "--countdown", "2", "--expires", "1")
        expired_id = call.matches(r"task id (\S+)")[0].group(1)
        worker.wait_for(rf"Discarding revoked task: .*\[{expired_id}\]")
        story.check(call.count("state REVOKED") == 1, "an expired task never runs: its state is REVOKED")

        story.section("apply_async(queue='lesson12_urgent'): another queue, the same worker (-Q celery,lesson12_urgent)")
        call = story.run("client", f"{LESSON}.client", "4", "4", "--queue", "lesson12_urgent")
        urgent_id = call.matches(r"task id (\S+)")[0].group(1)
        story.check(call.count(r"Got 8 ") == 1 and worker.count(rf"add\[{urgent_id}\] received") == 1,
                    "the task went through 'lesson12_urgent' and the worker ran it")

        story.section("How fast? Round trips one by one, then 500 tiny tasks at once")
        story.say("(The worker logs two lines per task; those 1,040 lines are hidden here.)")
        before = worker.count(r"\] succeeded in")
        with worker.quiet():
            bench = story.run("benchmark", f"{LESSON}.benchmark", "--tasks", "500", timeout=90)
        story.check(bench.count("results all correct") == 1, "500 tasks done, every result correct")
        wait_until(lambda: worker.count(r"\] succeeded in") - before >= 520, timeout=10,
                   what="the worker's log lines")
        story.check(worker.count(r"\] succeeded in") - before == 520,
                    "the worker logged 520 successes: 20 round trips + 500 tasks")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
