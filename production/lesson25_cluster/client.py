"""Lesson 25, the client: send tasks to a clustered broker and wait for every result.

    python client.py --count 20 --interval 0.25
"""

import argparse
import time

from tasks import resize


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send resize tasks and wait for their results.")
    parser.add_argument("--count", type=int, default=20, help="how many tasks to send")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between two tasks")
    args = parser.parse_args(argv)

    try:
        results = []
        for number in range(1, args.count + 1):
            results.append(resize.delay(f"photo-{number}.jpg"))
            print(f" [x] Sent resize('photo-{number}.jpg')")
            time.sleep(args.interval)
        done = [result.get(timeout=60) for result in results]
        print(f" [.] {done[0]} ... {done[-1]}")
        print(f" [x] {len(done)} of {args.count} tasks completed")
    except KeyboardInterrupt:
        print(" [x] Interrupted, bye.")


if __name__ == "__main__":
    main()
