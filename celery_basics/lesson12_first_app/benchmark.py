"""Lesson 12, a small benchmark: round trip latency, then throughput of many tiny tasks.

    python benchmark.py               # 500 tasks
    python benchmark.py --tasks 2000
"""

import argparse
import statistics
import time

from tasks import add


def main(argv=None):
    parser = argparse.ArgumentParser(description="Measure delay().get() latency and tasks per second.")
    parser.add_argument("--rounds", type=int, default=20, help="round trips to time one by one")
    parser.add_argument("--tasks", type=int, default=500, help="tiny tasks to send at once")
    args = parser.parse_args(argv)

    # 1. Latency: send one task, wait for its result, again and again.
    timings = []
    for i in range(args.rounds):
        started = time.perf_counter()
        result = add.delay(i, i)
        result.get(timeout=10)
        timings.append((time.perf_counter() - started) * 1000)
        result.forget()  # delete the result from Redis: we are done with it
    print(f" [.] Round trip delay().get(): median {statistics.median(timings):.1f} ms, "
          f"best {min(timings):.1f} ms, worst {max(timings):.1f} ms ({args.rounds} rounds)")

    # 2. Throughput: send them all, then collect all the results.
    started = time.perf_counter()
    results = [add.delay(i, i) for i in range(args.tasks)]
    sent = time.perf_counter() - started
    values = [result.get(timeout=60) for result in results]
    elapsed = time.perf_counter() - started
    for result in results:
        result.forget()
    ok = values == [i + i for i in range(args.tasks)]
    print(f" [.] {args.tasks} tasks: sent in {sent:.2f} s, all results in {elapsed:.2f} s: "
          f"{args.tasks / elapsed:.0f} tasks/s (results {'all correct' if ok else 'WRONG'})")


if __name__ == "__main__":
    main()
