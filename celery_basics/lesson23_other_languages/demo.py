"""Lesson 23's story in one terminal: a Python worker takes tasks from pika and from Node.js.

    make lesson-23            (or: python -m lessons run 23)

The Node.js part needs node and the npm packages: npm ci --prefix celery_basics/lesson23_other_languages
"""

import json
import shutil
import sys
from pathlib import Path

import redis

from lessons import broker
from lessons.runner import Story
from lessons.settings import REDIS_URL

LESSON = "celery_basics.lesson23_other_languages"
QUEUE = "lesson23_other_languages"
FOLDER = Path(__file__).resolve().parent
QUIET = ("--without-mingle", "--without-gossip")


def main(argv=None) -> int:
    with Story("Lesson 23: calling Celery from other languages", argv) as story:
        # Celery names the default exchange after the default queue: both go at the end.
        story.start_fresh(queues=[QUEUE], exchanges=[QUEUE])
        store = redis.Redis.from_url(REDIS_URL)
        task_ids = []
        story.cleanup(lambda: store.delete(*[f"celery-task-meta-{i}" for i in task_ids]) if task_ids else None,
                      always=True)

        def sent_ids(process):
            ids = [m.group(1) for m in process.matches(r"\[x\] Sent \S+\[([0-9a-f-]{36})\]")]
            task_ids.extend(ids)
            return ids

        story.section("A Python worker with one task, 'lesson23.add'")
        worker = story.start_worker("worker", f"{LESSON}.tasks", "--concurrency", "1", *QUIET)

        story.section("From Python without Celery: pika builds the message by hand")
        pika_run = story.run("pika", f"{LESSON}.producer", "--args", "[4]", "--kwargs", '{"y": 5}',
                             "--show-message")
        [pika_id] = sent_ids(pika_run)
        story.check(pika_run.count(r"\[\.\] Got 9 ") == 1, "the worker computed add(4, y=5) = 9 for pika")
        raw = json.loads(store.get(f"celery-task-meta-{pika_id}"))
        story.say(f"Redis GET celery-task-meta-{pika_id[:8]}... -> "
                  + json.dumps({k: raw[k] for k in ("status", "result", "traceback", "task_id")}))
        story.check(raw["status"] == "SUCCESS" and raw["result"] == 9 and raw["task_id"] == pika_id,
                    "the result is a plain JSON document under celery-task-meta-<id>")

        story.section("From Node.js: amqplib sends the same message, the redis package reads the result")
        node = shutil.which("node")
        if node is None or not (FOLDER / "node_modules" / "amqplib").is_dir():
            story.say("(Skipped: Node.js or its npm packages are missing. Install Node.js 18 or later, "
                      "then run 'npm ci --prefix celery_basics/lesson23_other_languages'.)")
        else:
            node_run = story.start_command("node", [node, str(FOLDER / "producer.js"), "--args", "[2, 3]"])
            code = node_run.wait(timeout=20)
            [node_id] = sent_ids(node_run)
            story.check(code == 0 and node_run.count(r"\[\.\] Got 5 ") == 1,
                        "the worker computed add(2, 3) = 5 for Node.js")
            worker.wait_for(rf"lesson23\.add\[{node_id}\] succeeded")
        story.check(all(worker.count(rf"lesson23\.add\[{i}\] succeeded") == 1 for i in task_ids),
                    f"the worker ran all {len(task_ids)} tasks like any other: it cannot tell who sent them")

        story.section("No worker: the producer waits, then says so (the message waits in the queue)")
        worker.stop()
        late = story.run("pika", f"{LESSON}.producer", "--args", "[20, 22]", "--timeout", "2", expect_code=1)
        [late_id] = sent_ids(late)
        story.check(late.count(r"\[!\] Timed out: no result for lesson23\.add") == 1,
                    "after 2 s the producer gave up with a clear timeout message")
        story.check(broker.queue_depth(QUEUE) == 1, "the task message waits in the queue (durable, persistent)")

        story.section("A task name no worker knows")
        story.say("A second worker starts. Its report of an unknown task is long (the whole message and a "
                  "KeyError traceback), so its output is summarised here; run the roles by hand to read it all.")
        quiet = story.start_worker("worker-2", f"{LESSON}.tasks", "--concurrency", "1", *QUIET, echo=False)
        quiet.wait_for(rf"lesson23\.add\[{late_id}\] succeeded in \S+: 42")
        story.say(f"  worker-2 | ... lesson23.add[{late_id[:8]}...] succeeded: 42 (the task that waited)")
        unknown = story.run("pika", f"{LESSON}.producer", "--task", "lesson23.nope", "--timeout", "5",
                            expect_code=2)
        [unknown_id] = sent_ids(unknown)
        quiet.wait_for(r"Received unregistered task of type 'lesson23.nope'")
        for line in quiet.lines:
            if "unregistered task" in line or "ignored and discarded" in line:
                story.say(f"  worker-2 | {line}")
        meta = json.loads(store.get(f"celery-task-meta-{unknown_id}"))
        story.check(quiet.count(r"The message has been ignored and discarded") == 1
                    and broker.queue_depth(QUEUE) == 0,
                    "the worker rejected the message: the queue is empty, nothing is redelivered")
        story.check(meta["status"] == "FAILURE" and meta["result"]["exc_type"] == "NotRegistered"
                    and unknown.count(r"No worker knows a task named 'lesson23.nope'") == 1,
                    "and it stored FAILURE NotRegistered, so the producer's wait ended at once with that reason")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
