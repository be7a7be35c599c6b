"""Lesson 13's story in one terminal: where results live, and what a task's state tells you.

    make lesson-13            (or: python -m lessons run 13)
"""

import json
import sys

import redis

from celery_basics.lesson13_results import rpc_tasks
from celery_basics.lesson13_results.tasks import app
from lessons import broker
from lessons.settings import REDIS_URL
from lessons.story import Story

LESSON = "celery_basics.lesson13_results"
QUEUES = ("lesson13_results", "lesson13_rpc", "lesson13_nobody")


def task_id(process, pattern=r"task id (\S+)", which=0) -> str:
    return process.matches(pattern)[which].group(1)


def main(argv=None) -> int:
    with Story(13, argv) as story:
        story.start_fresh(queues=QUEUES, exchanges=QUEUES)
        results = redis.Redis.from_url(REDIS_URL, decode_responses=True)

        story.section("Two workers: one app keeps results in Redis, the other sends them back over rpc://")
        worker = story.start_worker("worker", "tasks", "--concurrency", "2",
                                    "--without-mingle", "--without-gossip", ready=None)
        rpc_worker = story.start_worker("rpc-worker", "rpc_tasks", "--concurrency", "1",
                                        "--without-mingle", "--without-gossip", ready=None)
        for process in (worker, rpc_worker):
            process.wait_for(r"\bready\.", timeout=30)

        story.section("PENDING -> STARTED -> SUCCESS (STARTED needs task_track_started=True)")
        client = story.run("client", f"{LESSON}.client", "states")
        seen = [m.group(1) for m in client.matches(r"\[\.\] state (\w+)")]
        story.check(seen in (["PENDING", "STARTED", "SUCCESS"], ["STARTED", "SUCCESS"]) and "result 5" in client.output,
                    f"the client saw {' -> '.join(seen)} and the result 5")
        key = f"celery-task-meta-{task_id(client)}"
        stored = json.loads(results.get(key))
        story.say(f"In Redis, key '{key}' (expires in {results.ttl(key)} s, result_expires=600):")
        story.say("  " + json.dumps({k: stored[k] for k in ("status", "result", "traceback", "date_done")}))
        story.check(stored["status"] == "SUCCESS" and stored["result"] == 5 and 0 < results.ttl(key) <= 600,
                    "the backend holds status and result as JSON, and Redis will forget them after result_expires")

        story.section("get(timeout=0.5) on a 2 s task: the caller gives up, the task does not")
        client = story.run("client", f"{LESSON}.client", "timeout")
        story.check("raised TimeoutError" in client.output and "state STARTED" in client.output
                    and "get(timeout=10) -> 2" in client.output,
                    "get() timed out while the task was STARTED; asked again, it returned 2")

        story.section("A failing task: FAILURE, the exception and the worker's traceback")
        with worker.quiet():
            client = story.run("client", f"{LESSON}.client", "failure")
            worker.wait_for(r"^ZeroDivisionError: division by zero")
        logged = worker.matches(r"ERROR/.*raised unexpected: .*")[0].group(0)
        story.say(f"(The worker logged '{logged}' and its traceback, hidden here.)")
        failed = json.loads(results.get(f"celery-task-meta-{task_id(client)}"))
        story.check("state FAILURE, get(propagate=False) returned ZeroDivisionError('division by zero')" in client.output,
                    "get(propagate=False) returned the exception instead of raising it")
        story.check("get() raised ZeroDivisionError" in client.output and "ZeroDivisionError" in failed["traceback"],
                    "get() re-raised ZeroDivisionError in the client; the traceback is stored in Redis")

        story.section("ignore_result=True: the task runs, no result is ever stored")
        client = story.run("client", f"{LESSON}.client", "ignored")
        ignored = task_id(client)
        worker.wait_for(rf"log_visit\[{ignored}\] succeeded")
        story.check(app.AsyncResult(ignored).state == "PENDING" and not results.exists(f"celery-task-meta-{ignored}"),
                    "the worker ran log_visit, yet its state stays PENDING: nothing in Redis")

        story.section("PENDING means 'unknown': an id nobody ever sent")
        client = story.run("client", f"{LESSON}.client", "made-up")
        story.check("state is PENDING" in client.output, "a made-up task id is PENDING too")

        story.section("A task name no worker knows")
        with worker.quiet():
            client = story.run("client", f"{LESSON}.client", "unknown")
            worker.wait_for(r"^KeyError: 'lesson13.no_such_task'")
        story.say(f"(The worker logged '{worker.matches(r'Received unregistered task of type .*')[0].group(0)}', "
                  "the message, and a KeyError traceback, hidden here.)")
        story.check("get() raised NotRegistered: 'lesson13.no_such_task' (state FAILURE)" in client.output,
                    "the worker refused it and stored FAILURE with NotRegistered: the client learns at once")
        story.check("state PENDING, as long as nobody takes it" in client.output
                    and broker.queue_depth("lesson13_nobody") == 1,
                    "sent to a queue no worker consumes, it stays PENDING until get() times out")

        story.section("rpc://: the result comes back as a message, to the caller only")
        client = story.run("client", f"{LESSON}.client", "rpc")
        rpc_id = task_id(client)
        story.check("get() -> 4" in client.output and not results.exists(f"celery-task-meta-{rpc_id}"),
                    "the rpc:// result reached the client and was never stored in Redis")
        story.check(rpc_tasks.app.AsyncResult(rpc_id).state == "PENDING",
                    "any other client (this demo) sees that rpc:// task as PENDING")
        # Asking declared this demo's own reply queue (named after the app's oid): remove it at the end.
        story.cleanup(lambda: broker.delete_queues(rpc_tasks.app.backend.binding.name))

        story.section("A client app without a backend: the DisabledBackend error, then the fix")
        client = story.run("client-1", f"{LESSON}.no_backend")
        story.check("backend DisabledBackend" in client.output
                    and "raised NotImplementedError: No result backend is configured." in client.output,
                    "get() on an app with no backend raised 'No result backend is configured.'")
        client = story.run("client-2", f"{LESSON}.no_backend", "--fixed")
        story.check("get() -> 42" in client.output, "with backend=REDIS_URL the same call returned 42")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
