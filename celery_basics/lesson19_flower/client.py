"""Lesson 19, the client: send a mix of tasks for Flower to watch.

    python client.py --fast 6 --slow 2 --fail 1 --flaky 1

Fast, slow, failing and retried tasks; the progress-reporting one is sent by progress.py.
"""

import argparse

from tasks import add, fail, flaky, slow


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send a mix of tasks to the lesson's workers.")
    parser.add_argument("--fast", type=int, default=6, help="how many add(x, y) tasks")
    parser.add_argument("--slow", type=int, default=2, help="how many slow tasks")
    parser.add_argument("--seconds", type=float, default=1.0, help="how long each slow task sleeps")
    parser.add_argument("--fail", type=int, default=1, help="how many tasks that always fail")
    parser.add_argument("--flaky", type=int, default=1, help="how many tasks that fail twice, then succeed")
    parser.add_argument("--wait", action="store_true", help="wait for every result and print it")
    args = parser.parse_args(argv)

    jobs = [(add, (i, i)) for i in range(args.fast)]
    jobs += [(slow, (args.seconds,))] * args.slow
    jobs += [(fail, ("bad input",))] * args.fail
    jobs += [(flaky, (2,))] * args.flaky

    sent = []
    for task, task_args in jobs:
        result = task.delay(*task_args)
        call = f"{task.name}({', '.join(map(repr, task_args))})"
        print(f" [x] Sent {call} id={result.id}")
        sent.append((task, result))

    if args.wait:
        for task, result in sent:
            value = result.get(timeout=60, propagate=False)  # a failure comes back as its exception
            print(f" [.] Got {task.name} {result.state}: {value!r}")


if __name__ == "__main__":
    main()
