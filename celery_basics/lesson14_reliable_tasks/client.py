"""Lesson 14, the client: call the reliable tasks and report what came back.

    python client.py retries   # two flaky fetches
    python client.py limits    # soft and hard time limits
    python client.py rate      # 10 pings at 10/s
    python client.py crash     # a long job (kill its worker process!)
"""

import argparse
import time

from celery.exceptions import TimeLimitExceeded

from tasks import (
    crunch,
    fetch,
    fetch_with_backoff,
    long_job,
    ping,
    stubborn,
)


def retries():
    started = time.monotonic()
    first, second = fetch.delay("prices"), fetch_with_backoff.delay("rates")
    print(f" [x] Sent fetch('prices') {first.id} and fetch_with_backoff('rates') {second.id}")
    print(f" [.] {first.get(timeout=20)}")
    print(f" [.] {second.get(timeout=20)} ({time.monotonic() - started:.1f} s in all)")


def limits():
    result = crunch.delay(30)  # 30 steps of 0.1 s: more than the 0.5 s soft limit
    print(f" [x] Sent crunch(30), task id {result.id}")
    print(f" [.] crunch returned {result.get(timeout=10)}")
    result = stubborn.delay()
    print(f" [x] Sent stubborn(), task id {result.id}")
    try:
        result.get(timeout=10)
    except TimeLimitExceeded as exc:
        print(f" [!] stubborn failed with TimeLimitExceeded({exc}): the worker killed it (state {result.state})")


def rate():
    started = time.monotonic()
    results = [ping.delay(i) for i in range(10)]
    values = [result.get(timeout=20) for result in results]
    print(f" [.] 10 pings with rate_limit='10/s' took {time.monotonic() - started:.2f} s: {values}")


def crash(job="report-42", seconds=2.0):
    result = long_job.delay(job, seconds)
    print(f" [x] Sent long_job({job!r}, {seconds}), task id {result.id}")
    print(f" [.] {result.get(timeout=30)}")


SCENES = {"retries": retries, "limits": limits, "rate": rate, "crash": crash}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Call lesson 14's reliable tasks.")
    parser.add_argument("scene", choices=SCENES, nargs="?", default="retries")
    args = parser.parse_args(argv)
    SCENES[args.scene]()


if __name__ == "__main__":
    main()
