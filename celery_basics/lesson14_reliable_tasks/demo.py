"""Lesson 14's story in one terminal: retries, time limits, a rate limit, and a worker process
killed in the middle of a task.

    make lesson-14            (or: python -m lessons run 14)
"""

import os
import signal
import sys
from pathlib import Path

from lessons import broker
from lessons.story import Story

LESSON = "celery_basics.lesson14_reliable_tasks"
QUEUE = "lesson14_reliable_tasks"


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def main(argv=None) -> int:
    with Story(14, argv) as story:
        story.start_fresh(queues=[QUEUE], exchanges=[QUEUE])

        def replay(since: int, *words: str) -> None:
            """Show the worker's lines since `since` that contain one of `words` (tracebacks stay hidden)."""
            for line in worker.lines[since:]:
                if any(word in line for word in words):
                    story.say(f"    worker | {line}")

        story.section("A worker with acks_late, reject_on_worker_lost and prefetch 1")
        worker = story.start_worker("worker", "tasks", "--concurrency", "2",
                                    "--without-mingle", "--without-gossip")

        story.section("Retries: a service that fails twice, then answers")
        client = story.run("client", f"{LESSON}.client", "retries")
        story.check(client.count("data after 3 attempts") == 2,
                    "self.retry and autoretry_for both succeeded on the third attempt")
        story.check(worker.count(r"fetch\[.*Retry in 0.5s") == 2
                    and worker.count(r"fetch_with_backoff\[.*Retry in 1s") == 1
                    and worker.count(r"fetch_with_backoff\[.*Retry in 2s") == 1,
                    "fetch retried after 0.5 s twice; fetch_with_backoff backed off 1 s, then 2 s")

        story.section("Time limits: soft (0.5 s) is an exception to clean up after, hard (1.5 s) kills")
        since = len(worker.lines)
        with worker.quiet():
            client = story.run("client", f"{LESSON}.client", "limits")
            worker.wait_for(r"Hard time limit \(1.5s\) exceeded")
        replay(since, "time limit", "crunch:", "stubborn:")
        story.say("    (the worker also logged the TimeLimitExceeded traceback, hidden here)")
        story.check("'complete': False" in client.output,
                    "crunch caught SoftTimeLimitExceeded, cleaned up and returned its partial work")
        story.check("stubborn failed with TimeLimitExceeded" in client.output and "state FAILURE" in client.output,
                    "stubborn ignored the soft limit; at the hard limit the worker killed it: FAILURE")

        story.section("Rate limit: ping has rate_limit='10/s' (per worker)")
        client = story.run("client", f"{LESSON}.client", "rate")
        took = float(client.matches(r"took ([\d.]+) s")[0].group(1))
        story.check(took >= 0.8, f"10 pings took {took:.2f} s: the worker spaced them out")

        story.section("Kill the pool process running a task (SIGKILL): the task runs again")
        client = story.start("client", f"{LESSON}.client", "crash")
        first = worker.wait_for(r"long_job report-42: running in pid (\d+) \(redelivered: False\)")
        pid = int(first.group(1))
        if parent_of(pid) != worker.popen.pid:
            raise RuntimeError(f"pid {pid} is not a pool process of this demo's worker")
        story.say(f"The task runs in pool process {pid}. kill -9 {pid} ...")
        since = len(worker.lines)
        with worker.quiet():
            os.kill(pid, signal.SIGKILL)
            worker.wait_for(r"redelivered: True", timeout=30)
        replay(since, f"pid:{pid} exited", "long_job")
        story.say("    (the worker also logged a WorkerLostError traceback, hidden here)")
        client.wait(timeout=30)
        attempts = worker.matches(r"long_job report-42: running in pid (\d+) \(redelivered: (\w+)\)")
        story.check("report-42 done" in client.output, "the client's get() returned 'report-42 done'")
        story.check(len(attempts) == 2 and attempts[1].group(2) == "True" and attempts[1].group(1) != str(pid),
                    "2 attempts: the broker redelivered the message and another pool process completed it")
        story.check(broker.queue_depth(QUEUE) == 0, "nothing was lost and nothing is left in the queue")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
