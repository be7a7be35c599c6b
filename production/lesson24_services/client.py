"""Lesson 24, the client: send work to the worker service, then restart or stop it and watch.

    python client.py slow 10          # one 10 s task: restart the worker meanwhile
    python client.py slow 2 0.5 0.5   # three tasks: job-1 (2 s), job-2, job-3
    python client.py both 10          # acks_late and early-ack tasks: send SIGQUIT
    python client.py leak --count 7 --megabytes 20 --queue lesson24_memlimit

It prints each task's id when it sends it, then each result (read from Redis) as it comes.
"""

import argparse
import os

from tasks import leak, slow, slow_early_ack

WAIT = float(os.environ.get("LESSON24_WAIT", "60"))  # seconds to wait for each result


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send lesson 24's tasks and print what comes back.")
    parser.add_argument("what", choices=("slow", "both", "leak"))
    parser.add_argument("seconds", nargs="*", type=float, default=[10.0],
                        help="how long each slow task takes (one task per number)")
    parser.add_argument("--count", type=int, default=7, help="leak: how many tasks")
    parser.add_argument("--megabytes", type=int, default=20, help="leak: MiB each task keeps")
    parser.add_argument("--queue", default="lesson24_services", help="leak: the queue to send to")
    args = parser.parse_args(argv)

    if args.what == "slow":
        sent = {}
        for number, seconds in enumerate(args.seconds, 1):
            sent[f"job-{number}"] = slow.delay(f"job-{number}", seconds)
            print(f" [x] Sent slow('job-{number}', {seconds:g}): {sent[f'job-{number}'].id}")
        for job, result in sent.items():
            print(f" [.] {job}: {result.get(timeout=WAIT)}")
    elif args.what == "both":
        seconds = args.seconds[0]
        late, early = slow.delay("A", seconds), slow_early_ack.delay("B", seconds)
        print(f" [x] Sent slow('A', {seconds:g}) (acks_late): {late.id}")
        print(f" [x] Sent slow_early_ack('B', {seconds:g}) (acked on arrival): {early.id}")
        print(f" [.] A: {late.get(timeout=WAIT)}")
        # B ran beside A: by now it has a result, or it never will.
        print(f" [.] B: state {early.state}" + (f", {early.result}" if early.successful() else ""))
    else:
        results = [leak.apply_async((args.megabytes,), queue=args.queue) for _ in range(args.count)]
        print(f" [x] Sent {args.count} leak({args.megabytes}) to {args.queue}")
        for number, result in enumerate(results, 1):
            print(f" [.] leak-{number}: {result.get(timeout=WAIT)}")


if __name__ == "__main__":
    main()
