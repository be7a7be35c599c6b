"""Lesson 23, sending a Celery task WITHOUT Celery: pika builds the message, redis-py reads the result.

    python -m celery_basics.lesson23_other_languages.send_task --args "[4]" --kwargs '{"y": 5}'
    python -m celery_basics.lesson23_other_languages.send_task --show-message
    python -m celery_basics.lesson23_other_languages.send_task --task lesson23.nope --timeout 3

A Celery task message (protocol v2) is an AMQP message: the task's name and id travel in the
headers, the body is JSON [args, kwargs, embed]. The result comes back through the result
backend: a JSON string under the Redis key celery-task-meta-<task id>. php/send_task.php,
ruby/send_task.rb, go/send_task/main.go and node/send_task.js do the same in their languages;
java/SendTask.java takes the rpc:// route instead (no Redis client in Debian for Java).
Reference: https://docs.celeryq.dev/en/stable/internals/protocol.html
"""

import argparse
import json
import os
import socket
import sys
import time
import uuid

import pika
import redis

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send a Celery task with pika and wait for its result in Redis.")
    parser.add_argument("--task", default="lesson23.add", help="the task's registered name")
    parser.add_argument("--args", default="[2, 3]", help="positional arguments, a JSON list")
    parser.add_argument("--kwargs", default="{}", help="keyword arguments, a JSON object")
    parser.add_argument("--queue", default="lesson23_other_languages", help="the queue the worker reads")
    parser.add_argument("--timeout", type=float, default=10, help="seconds to wait for the result")
    parser.add_argument("--show-message", action="store_true", help="print the message before sending it")
    args = parser.parse_args(argv)
    task_args, task_kwargs = json.loads(args.args), json.loads(args.kwargs)

    task_id = str(uuid.uuid4())
    # Celery's message protocol v2: everything about the task is in the headers ...
    headers = {
        "lang": "py",  # the language the task is written in
        "task": args.task,  # the name the worker looks up in its registry
        "id": task_id,
        "root_id": task_id,  # the first task of a workflow; this one is alone
        "parent_id": None,
        "group": None,
        "shadow": None,
        "eta": None,  # ISO 8601 time to run at, None = now
        "expires": None,
        "retries": 0,
        "timelimit": [None, None],  # [hard, soft] seconds: the order Celery sends and reads
        "argsrepr": repr(task_args),  # for logs and monitors only
        "kwargsrepr": repr(task_kwargs),
        "origin": f"python@{socket.gethostname()}:{os.getpid()}",
        # No "ignore_result": Celery's client sends the task's own setting, which a sender in
        # another language does not know; false would make the worker store a result that the
        # task declared it ignores. Left out, the worker uses the task's setting.
    }
    # ... and the body is [args, kwargs, embed], where embed holds the workflow links.
    body = json.dumps([task_args, task_kwargs,
                       {"callbacks": None, "errbacks": None, "chain": None, "chord": None}])
    properties = pika.BasicProperties(
        content_type="application/json",  # the serializer: the worker accepts JSON only
        content_encoding="utf-8",
        correlation_id=task_id,
        delivery_mode=pika.DeliveryMode.Persistent,
        priority=0,
        headers=headers,
    )
    if args.show_message:
        print(json.dumps({"exchange": "", "routing_key": args.queue,
                          "properties": {"content_type": properties.content_type,
                                         "content_encoding": properties.content_encoding,
                                         "correlation_id": properties.correlation_id,
                                         "delivery_mode": 2, "priority": 0, "headers": headers},
                          "body": body}, indent=2))

    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.confirm_delivery()  # publisher confirms: basic_publish waits for the broker's ack or nack
    try:
        # The default exchange routes to the queue named by the routing key, as Celery does.
        channel.basic_publish(exchange="", routing_key=args.queue, body=body,
                              properties=properties, mandatory=True)
    except pika.exceptions.UnroutableError:  # mandatory: the broker returned it, no queue took it
        print(f" [!] No queue '{args.queue}' on the broker: start the worker first (it declares it).")
        sys.exit(1)
    except pika.exceptions.NackError:  # the broker said no (a full queue with x-overflow reject-publish, ...)
        print(f" [!] The broker refused the message (nack): queue '{args.queue}' did not take it.")
        sys.exit(1)
    finally:
        connection.close()
    print(f" [x] Sent {args.task}[{task_id}] args={args.args} kwargs={args.kwargs}")

    # The result backend: the worker stores a JSON document under celery-task-meta-<id>.
    backend = redis.Redis.from_url(REDIS_URL)
    key = f"celery-task-meta-{task_id}"
    started = time.monotonic()
    while time.monotonic() - started < args.timeout:
        stored = backend.get(key)
        if stored is not None:
            meta = json.loads(stored)
            if meta["status"] == "SUCCESS":
                print(f" [.] Got {json.dumps(meta['result'])} ({key}, {1000 * (time.monotonic() - started):.0f} ms)")
                return
            if meta["status"] in ("FAILURE", "REVOKED"):
                error = meta["result"]  # {"exc_type": ..., "exc_message": [...], "exc_module": ...}
                print(f" [!] The worker answered {meta['status']}: {error['exc_type']}"
                      f"({', '.join(map(json.dumps, error['exc_message']))})")
                if error["exc_type"] == "NotRegistered":
                    print(f" [!] No worker knows a task named '{args.task}': it rejected the message.")
                sys.exit(2)
        time.sleep(0.05)
    print(f" [!] Timed out: no result for {args.task}[{task_id}] after {args.timeout:g} s. "
          f"No worker that knows '{args.task}' took it from queue '{args.queue}' "
          "(Celery would call it PENDING: unknown).")
    sys.exit(1)


if __name__ == "__main__":
    main()
