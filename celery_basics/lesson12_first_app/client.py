"""Lesson 12, the client: call the task, then ask for its result.

    python client.py 2 2                 # delay(), then get()
    python client.py 5 5 --countdown 2   # run it 2 s from now
    python client.py 1 1 --countdown 3 --expires 1
    python client.py 4 4 --queue lesson12_urgent
    python client.py 2 2 --no-wait       # send only
"""

import argparse
import time

from celery.exceptions import TaskRevokedError

from tasks import add


def main(argv=None):
    parser = argparse.ArgumentParser(description="Call add(x, y) on a worker and print the result.")
    parser.add_argument("x", type=int, nargs="?", default=2)
    parser.add_argument("y", type=int, nargs="?", default=2)
    parser.add_argument("--countdown", type=float, help="run the task no sooner than this many seconds from now")
    parser.add_argument("--expires", type=float, help="discard the task if it has not started within this many seconds")
    parser.add_argument("--queue", help="send to this queue instead of the default one ('celery')")
    parser.add_argument("--no-wait", action="store_true", help="send the task and exit, without waiting for the result")
    parser.add_argument("--timeout", type=float, default=10, help="give up waiting for the result after this many seconds")
    args = parser.parse_args(argv)

    started = time.monotonic()
    if args.countdown is None and args.expires is None and args.queue is None:
        result = add.delay(args.x, args.y)  # the shortcut for add.apply_async((x, y))
    else:
        result = add.apply_async((args.x, args.y), countdown=args.countdown,
                                 expires=args.expires, queue=args.queue)
    print(f" [x] Sent add({args.x}, {args.y}), task id {result.id}")
    if args.no_wait:
        return

    try:
        value = result.get(timeout=args.timeout)  # waits for the worker's answer in Redis
    except TaskRevokedError:
        print(f" [!] The task expired before a worker ran it (state {result.state}).")
        return
    print(f" [.] Got {value} after {time.monotonic() - started:.2f} s (state {result.state})")


if __name__ == "__main__":
    main()
