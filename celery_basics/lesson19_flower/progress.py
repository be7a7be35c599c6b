"""Lesson 19, progress: one task, seen from the result backend and from Flower side by side.

    python progress.py --steps 5 --delay 0.4

The task reports a custom PROGRESS state with update_state(). That state lives in the result
backend (Redis): AsyncResult.state and .info show it. Flower builds its view from the workers'
events (received, started, succeeded, ...), and no event carries PROGRESS, so Flower says
STARTED the whole time the task runs.
"""

import argparse
import sys
import time

import flower_api
from tasks import report


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send a progress-reporting task and watch it.")
    parser.add_argument("--steps", type=int, default=5, help="how many steps the task reports")
    parser.add_argument("--delay", type=float, default=0.4, help="seconds per step")
    parser.add_argument("--timeout", type=float, default=60, help="give up after this many seconds")
    args = parser.parse_args(argv)

    result = report.delay(args.steps, args.delay)
    print(f" [x] Sent {report.name}({args.steps}, {args.delay}) id={result.id}")

    last = None
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        backend = (result.state, result.info if result.state == "PROGRESS" else None)
        seen = flower_api.task_info(result.id)  # None until Flower has had an event for it
        flower = seen["state"] if seen else "(not seen yet)"
        if (backend, flower) != last:
            detail = f" {backend[1]}" if backend[1] else ""
            print(f" [.] result backend: {backend[0]}{detail:<28} | Flower: {flower}")
            last = (backend, flower)
        if result.ready() and flower == result.state:
            break
        time.sleep(0.1)
    else:
        print(f" [!] Gave up after {args.timeout:g} s: the task is {result.state}.")
        return 1

    print(f" [x] Done: {result.get(timeout=5)}")


if __name__ == "__main__":
    sys.exit(main())
