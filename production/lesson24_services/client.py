"""Lesson 24, the client: send work to the worker service, then restart or stop it and watch.

    python -m production.lesson24_services.client slow 10     # a 10 s task: restart the worker meanwhile
    python -m production.lesson24_services.client both 10     # acks_late and early-ack tasks: send SIGQUIT
    python -m production.lesson24_services.client leak --count 7 --megabytes 20 --queue lesson24_memlimit

It waits for each result (from Redis) and prints it, or the state the task was left in.
"""

import argparse
import os

from celery.exceptions import TimeoutError as ResultTimeout

from production.lesson24_services.tasks import leak, slow, slow_early_ack

WAIT = float(os.environ.get("LESSON24_WAIT", "60"))  # seconds to wait for a result


def report(name, result):
    try:
        print(f" [.] {name}: {result.get(timeout=WAIT)}")
    except ResultTimeout:
        print(f" [!] {name}: no result after {WAIT:g} s, state {result.state}")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send lesson 24's tasks and print what comes back.")
    parser.add_argument("what", choices=("slow", "both", "leak"))
    parser.add_argument("seconds", nargs="?", type=float, default=10.0, help="how long a slow task takes")
    parser.add_argument("--count", type=int, default=7, help="leak: how many tasks")
    parser.add_argument("--megabytes", type=int, default=20, help="leak: MiB each task keeps")
    parser.add_argument("--queue", default="lesson24_services", help="leak: the queue to send to")
    args = parser.parse_args(argv)

    if args.what == "slow":
        result = slow.delay("job-1", args.seconds)
        print(f" [x] Sent slow('job-1', {args.seconds:g}), id {result.id}")
        report("job-1", result)
    elif args.what == "both":
        late, early = slow.delay("A", args.seconds), slow_early_ack.delay("B", args.seconds)
        print(f" [x] Sent slow('A') (acks_late) {late.id} and slow_early_ack('B') {early.id}")
        print(" [*] Now cold-stop the worker: supervisorctl -c FOLDER/supervisord.conf signal QUIT worker")
        report("A", late)
        report("B", early)
    else:
        results = [leak.apply_async((args.megabytes,), queue=args.queue) for _ in range(args.count)]
        print(f" [x] Sent {args.count} leak({args.megabytes}) to {args.queue}")
        for number, result in enumerate(results, 1):
            report(f"leak {number}", result)


if __name__ == "__main__":
    main()
