"""Exercise 23: a Celery task message built by hand (protocol v2), from Python or Node.js.

Only what lesson 23 keeps teaching is assumed: a task message is AMQP + JSON, the worker is
Python, the result is a JSON document in Redis. The exercise has its own worker (tasks.py) and
queue, so it does not depend on the lesson's files. Another language is one more PRODUCERS entry
(its file name, how to run it, what it needs) plus its starter and solution files.
"""

import json
import os
import shutil
import sys

from lessons import catalog
from lessons.exercises import Exercise

QUEUE = "exercise23"
TASK = "exercise23.invoice_total"
EXPECTED = 50.4  # (2 x 10.0 + 4 x 5.5) x 1.2


def node_env(folder) -> dict:
    """NODE_PATH with the exercise's node_modules, and any of lesson 23's (make languages)."""
    paths = [folder / "node_modules"]
    lesson = catalog.get(23).folder
    paths += [found.parent for found in lesson.glob("**/node_modules/amqplib") if found.parent not in paths]
    return {"NODE_PATH": os.pathsep.join(str(p) for p in paths)}


def node_missing(folder) -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed: install Node.js 18 or later (or solve the exercise in producer.py)."
    if not any((path and os.path.isdir(os.path.join(path, "amqplib"))) for path in node_env(folder)["NODE_PATH"].split(os.pathsep)):
        return ("Node.js cannot find amqplib: run 'npm install --prefix exercises/lesson23_other_languages' "
                "once (or 'make languages', lesson 23's, which installs it for the lesson's node/ folder).")
    return None


# file -> (the program that runs it, extra environment, what is missing to run it or None)
PRODUCERS = {
    "producer.py": (lambda folder: (sys.executable,), lambda folder: None, lambda folder: None),
    "producer.js": (lambda folder: ("node",), node_env, node_missing),
}


def chosen_producers(ck) -> list[str]:
    """The producers the learner changed (all of them are checked), or producer.py."""
    changed = [name for name in PRODUCERS
               if (ck.folder / name).exists()
               and (ck.folder / name).read_bytes() != (ck.exercise.starter / name).read_bytes()]
    return changed or ["producer.py"]


def judge_message(ck, name, message) -> None:
    """What the broker holds, read before any worker takes it."""
    properties = message.get("properties", {})
    headers = properties.get("headers") or {}
    ck.expect(headers.get("task") == TASK, f"its headers name the task: task={TASK!r}",
              f"its headers do not name the task '{TASK}' (headers: {headers or 'none'}): a worker looks "
              "the task up by the 'task' header.")
    ck.expect(headers.get("id"), "its headers carry the task's id",
              "its headers carry no 'id': the worker stores the result under celery-task-meta-<id>.")
    ck.expect(properties.get("content_type") == "application/json", "its content type is application/json",
              f"its content type is {properties.get('content_type')!r}: the worker accepts JSON only "
              "(content_type application/json, content_encoding utf-8).")
    try:
        body = json.loads(message.get("payload", ""))
    except ValueError:
        body = None
    shape = isinstance(body, list) and len(body) == 3 and isinstance(body[0], list) and isinstance(body[1], dict)
    ck.expect(shape, "its body is the JSON list [args, kwargs, embed]",
              f"its body is {message.get('payload', '')[:80]!r}: it should be the JSON list [args, kwargs, embed].")


def check(ck):
    from lessons import broker
    from lessons.management import Management

    producers = chosen_producers(ck)
    ck.say(f"Checking {', '.join(producers)} (the producers you changed; every one is checked).")
    with broker.channel() as channel:  # the queue the worker reads, as the worker declares it
        channel.queue_declare(QUEUE, durable=True)

    sent = {}
    for name in producers:
        program, extra_env, missing = PRODUCERS[name]
        ck.section(f"{name} sends the task; the checker looks at the message before any worker takes it")
        if (problem := missing(ck.folder)) is not None:
            ck.expect(False, "", problem)
            continue
        run = ck.run_file(name, timeout=20, program=program(ck.folder), env=extra_env(ck.folder))
        if not ck.expect(run.returncode == 0, f"{name} ran and exited with code 0", ck.diagnose(run)):
            continue
        ids = [m.group(1) for m in run.matches(rf"\[x\] Sent {TASK}\[([0-9a-fA-F-]+)\]")]
        if not ck.expect(ids, f"it printed the task's id ({ids[0] if ids else ''})",
                         f"{name} did not print ' [x] Sent {TASK}[<id>]': keep that line."):
            continue
        sent[name] = ids[0]
        ck.task_ids.append(ids[0])
        waiting = Management().peek(QUEUE, count=10)
        mine = [m for m in waiting if (m.get("properties", {}).get("headers") or {}).get("id") == ids[0]
                or m.get("properties", {}).get("correlation_id") == ids[0]]
        if not mine and len(waiting) == 1 and len(sent) == 1:
            mine = waiting  # no id anywhere in it: it can only be this one
        if not ck.expect(mine, f"the message waits in the queue '{QUEUE}'",
                         f"no message of {name} waits in '{QUEUE}': publish it to the default exchange "
                         f"with the routing key '{QUEUE}'."):
            continue
        judge_message(ck, name, mine[0])

    if not sent:
        return
    ck.section("The worker starts and takes the messages")
    worker = ck.start_worker(app="tasks")
    for name, task_id in sent.items():
        def rejected(worker=worker):
            return worker.count(r"Received unregistered task|Received invalid task message|"
                                r"Received and deleted unknown message|ContentDisallowed|Refusing to deserialize")
        meta = ck.wait_for_result(task_id, timeout=10, give_up=rejected)
        if meta and meta.get("status") == "SUCCESS":
            ck.expect(meta.get("result") == EXPECTED,
                      f"the worker ran the task from {name}: Redis holds SUCCESS {EXPECTED} under celery-task-meta-<id>",
                      f"the worker ran the task from {name} but returned {meta.get('result')!r}, not {EXPECTED}: "
                      "check args [ITEMS] and kwargs {\"tax_rate\": TAX_RATE}.")
        else:
            reason = next((line.strip() for line in worker.lines if task_id in line or "Received" in line
                           and ("invalid" in line or "unknown" in line or "unregistered" in line)), None)
            state = meta.get("status") if meta else "no result in Redis"
            detail = meta.get("result") if meta and meta.get("status") == "FAILURE" else None
            ck.expect(False, "", f"the task from {name} did not succeed ({state}"
                                 + (f": {detail.get('exc_type')} {detail.get('exc_message')}" if isinstance(detail, dict) else "")
                                 + ")." + (f" The worker said: {reason[:240]}" if reason else ""))


EXERCISES = (
    Exercise(
        name="task-by-hand",
        title="Send a Celery task from Python or Node.js, without Celery",
        files=("producer.py", "producer.js"),
        task="In producer.py (pika) or producer.js (Node.js, amqplib), or both, build the message of "
             "the task exercise23.invoice_total by hand and send it to the worker's queue.",
        check=check,
        hints=(
            "A Celery task message is an ordinary AMQP message: the task's name and id go in the "
            "headers, the arguments in a JSON body, and the properties say it is JSON. The worker "
            "neither knows nor cares which language wrote it.",
            "headers: {\"task\": \"exercise23.invoice_total\", \"id\": task_id}; body: "
            "json.dumps([[ITEMS], {\"tax_rate\": TAX_RATE}, {\"callbacks\": None, \"errbacks\": None, "
            "\"chain\": None, \"chord\": None}]); properties: content_type=\"application/json\", "
            "content_encoding=\"utf-8\", correlation_id=task_id.",
            "Python: pika.BasicProperties(headers=headers, content_type=\"application/json\", "
            "content_encoding=\"utf-8\", correlation_id=task_id). Node.js: channel.publish(\"\", QUEUE, "
            "Buffer.from(body), {headers, contentType: \"application/json\", contentEncoding: \"utf-8\", "
            "correlationId: taskId}). Lesson 23's send_task.py and node/send_task.js send the full set of headers.",
        ),
        starter_says=r"\[no\] its headers do not name the task 'exercise23\.invoice_total'",
        deadline=75,
        any_of=True,
    ),
)
