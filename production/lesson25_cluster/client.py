"""Lesson 25, the client: send tasks to a clustered broker and wait for every result.

    python client.py --count 20 --interval 0.25
    python client.py --later 3 --countdown 600 --count 1    # 3 tasks for in 10 minutes, then 1 for now

A task sent with a countdown waits in the broker (Celery's celery_delayed_* queues, see tasks.py),
not in the worker: the client waits only for the tasks it sent for now.
"""

import argparse
import time

from tasks import resize


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send resize tasks and wait for their results.")
    parser.add_argument("--count", type=int, default=20, help="how many tasks to send for now")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between two tasks")
    parser.add_argument("--later", type=int, default=0, help="how many tasks to send first, with --countdown")
    parser.add_argument("--countdown", type=int, default=600, help="seconds the --later tasks wait")
    args = parser.parse_args(argv)

    try:
        for number in range(1, args.later + 1):
            later = resize.apply_async((f"later-{number}.jpg",), countdown=args.countdown)
            print(f" [x] Sent resize('later-{number}.jpg') to run in {args.countdown} s (id {later.id})")
        results = []
        for number in range(1, args.count + 1):
            result = resize.delay(f"photo-{number}.jpg")
            results.append(result)
            print(f" [x] Sent resize('photo-{number}.jpg') (id {result.id})")
            time.sleep(args.interval)
        done = [result.get(timeout=60) for result in results]
        print(f" [.] {done[0]} ... {done[-1]}")
        print(f" [x] {len(done)} of {args.count} tasks completed")
    except KeyboardInterrupt:
        print(" [x] Interrupted, bye.")


if __name__ == "__main__":
    main()
