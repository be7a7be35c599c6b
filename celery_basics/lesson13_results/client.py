"""Lesson 13, the client: what a result can tell you, one scene at a time.

    python client.py states     # PENDING -> STARTED -> SUCCESS
    python client.py timeout    # get(timeout=...) gives up
    python client.py failure    # FAILURE, the exception, the traceback
    python client.py ignored    # ignore_result=True
    python client.py made-up    # an id nobody ever sent
    python client.py unknown    # a task name no worker knows
    python client.py rpc        # the rpc:// backend
"""

import argparse
import time

from celery.exceptions import TimeoutError

import rpc_tasks
from tasks import app, divide, log_visit, slow_add


def states():
    result = slow_add.delay(2, 3, seconds=1.0)
    print(f" [x] Sent slow_add(2, 3), task id {result.id}")
    seen = None
    while seen != "SUCCESS":
        if result.state != seen:
            seen = result.state
            print(f" [.] state {seen}")
        time.sleep(0.05)
    print(f" [.] result {result.result}")


def timeout():
    result = slow_add.delay(1, 1, seconds=2.0)
    print(f" [x] Sent slow_add(1, 1) that takes 2 s, task id {result.id}")
    try:
        result.get(timeout=0.5)
    except TimeoutError as exc:
        print(f" [!] get(timeout=0.5) raised TimeoutError: {exc}")
    print(f" [.] the task goes on regardless: state {result.state}")
    print(f" [.] get(timeout=10) -> {result.get(timeout=10)}")


def failure():
    result = divide.delay(1, 0)
    print(f" [x] Sent divide(1, 0), task id {result.id}")
    value = result.get(timeout=10, propagate=False)  # the exception is returned, not raised
    print(f" [.] state {result.state}, get(propagate=False) returned {value!r}")
    print(f" [.] the worker's traceback, kept in the backend: {result.traceback.strip().splitlines()[-1]}")
    try:
        result.get(timeout=10)  # propagate=True (the default) re-raises it here
    except ZeroDivisionError as exc:
        print(f" [!] get() raised ZeroDivisionError: {exc}")


def ignored():
    result = log_visit.delay("/home")
    print(f" [x] Sent log_visit('/home') (ignore_result=True), task id {result.id}")


def made_up():
    result = app.AsyncResult("no-such-task-id")
    print(f" [.] AsyncResult('no-such-task-id').state is {result.state}: PENDING means 'unknown'")


def unknown():
    result = app.send_task("lesson13.no_such_task", (1, 2))  # by name: nothing checks it exists
    print(f" [x] Sent 'lesson13.no_such_task', task id {result.id}")
    try:
        result.get(timeout=5)
    except Exception as exc:
        print(f" [!] get() raised {type(exc).__name__}: {exc} (state {result.state})")
    nobody = app.send_task("lesson13.no_such_task", (1, 2), queue="lesson13_nobody")
    print(f" [x] Sent it again to 'lesson13_nobody', a queue no worker consumes, task id {nobody.id}")
    try:
        nobody.get(timeout=1)
    except TimeoutError:
        print(f" [!] get(timeout=1) raised TimeoutError: state {nobody.state}, as long as nobody takes it")
    nobody.forget()  # stop listening for a result that will never come


def rpc():
    result = rpc_tasks.add.delay(2, 2)
    print(f" [x] Sent add(2, 2) to the rpc:// app, task id {result.id}")
    print(f" [.] get() -> {result.get(timeout=10)}: the answer came back as a message to this client")


SCENES = {"states": states, "timeout": timeout, "failure": failure, "ignored": ignored,
          "made-up": made_up, "unknown": unknown, "rpc": rpc}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Show what a Celery result can tell you.")
    parser.add_argument("scene", choices=SCENES, nargs="?", default="states")
    args = parser.parse_args(argv)
    SCENES[args.scene]()


if __name__ == "__main__":
    main()
