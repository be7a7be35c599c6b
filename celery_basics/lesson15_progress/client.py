"""Lesson 15, the client: start several long jobs and follow their progress.

    python client.py                  # 3 jobs; live bars on a terminal
    python client.py --jobs 5 --steps 20
    python client.py | cat            # piped: plain progress lines

The client never blocks on a result: it reads each job's state now and then and is free to do
other things in between.
"""

import argparse
import json
import sys
import time

from celery import states
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tasks import long_job


def progress_of(result, state):
    """(current, total) as the result backend knows it right now."""
    if state == "PROGRESS":
        return result.info["current"], result.info["total"]
    if state == "SUCCESS":
        return result.result["current"], result.result["total"]
    return 0, None  # PENDING (not started yet), or FAILURE


def main(argv=None):
    parser = argparse.ArgumentParser(description="Start long jobs and show their progress.")
    parser.add_argument("--jobs", type=int, default=3, help="how many jobs to start")
    parser.add_argument("--steps", type=int, default=10, help="steps per job (the first job; each next one has 2 more)")
    parser.add_argument("--seconds-per-step", type=float, default=0.2)
    parser.add_argument("--plain", action="store_true", help="plain lines even on a terminal")
    parser.add_argument("--log", help="also write every progress reading to this file, as JSON lines")
    args = parser.parse_args(argv)

    jobs = {}
    for n in range(1, args.jobs + 1):
        name, steps = f"job-{n}", args.steps + 2 * (n - 1)
        jobs[name] = long_job.delay(name, steps, args.seconds_per_step)
        print(f" [x] Sent long_job({name!r}, {steps} steps), task id {jobs[name].id}")

    log = open(args.log, "w") if args.log else None  # noqa: SIM115 - closed below
    live = sys.stdout.isatty() and not args.plain
    shown = {name: None for name in jobs}
    polls = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), disable=not live) as bars:
        bar = {name: bars.add_task(name, total=None) for name in jobs}
        while True:
            polls += 1
            finished = 0
            for name, result in jobs.items():
                # One reading of the state per job and pass: the client stops on what it showed,
                # not on a newer state read after the line was printed.
                state = result.state
                current, total = progress_of(result, state)
                if log:
                    log.write(json.dumps({"job": name, "id": result.id, "state": state,
                                         "current": current, "total": total}) + "\n")
                    log.flush()
                bars.update(bar[name], completed=current, total=total)
                # A line per change of step or state (10/10 PROGRESS, then 10/10 SUCCESS).
                if not live and (current, state) != shown[name]:
                    print(f" [.] {name}: {current}/{total or '?'} ({state})")
                shown[name] = (current, state)
                finished += state in states.READY_STATES  # SUCCESS, FAILURE, REVOKED
            if finished == len(jobs):
                break
            time.sleep(0.1)  # the client's own work would go here: it is never blocked
    for name, result in jobs.items():
        print(f" [x] {name}: {result.state}, {result.result['result']}")
    print(f" [.] The client read the states {polls} times and was free in between.")
    if log:
        log.close()


if __name__ == "__main__":
    main()
