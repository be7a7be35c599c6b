"""Lesson 17, the batch: long and short tasks, mixed, to see what prefetching does to them.

    python batch.py                 # crunch: acked when it starts
    python batch.py --acks-late     # crunch_late: acked when done

Run it against two workers with --concurrency 1, first with the default prefetch multiplier (4),
then with --prefetch-multiplier 1 and --acks-late, and compare the finish times.
"""

import argparse
import time

from tasks import crunch, crunch_late


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send a mix of long and short tasks; time the batch.")
    parser.add_argument("--pairs", type=int, default=4, help="how many (long, short) pairs to send")
    parser.add_argument("--long", type=float, default=1.0, help="seconds of a long task")
    parser.add_argument("--short", type=float, default=0.1, help="seconds of a short task")
    parser.add_argument("--acks-late", action="store_true", help="send crunch_late (acks_late=True)")
    args = parser.parse_args(argv)

    task = crunch_late if args.acks_late else crunch
    started = time.time()
    results = []
    for i in range(args.pairs):  # long, short, long, short, ...
        results.append(task.delay(f"long-{i + 1}", args.long))
        results.append(task.delay(f"short-{i + 1}", args.short))
    print(f" [x] Sent {len(results)} {task.name.rsplit('.', 1)[-1]} tasks: long ({args.long} s) "
          f"and short ({args.short} s), alternating")

    for value in sorted((result.get(timeout=60) for result in results), key=lambda v: v["started"]):
        print(f" [.] {value['task']} ran on {value['worker']}, "
              f"started at +{value['started'] - started:.2f} s")
    print(f" [.] The batch finished in {time.time() - started:.2f} s")


if __name__ == "__main__":
    main()
