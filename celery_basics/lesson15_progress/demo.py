"""Lesson 15's story in one terminal: three long jobs report their progress, a client follows them.

    make lesson-15            (or: python -m lessons run 15)

On a terminal the client draws live progress bars (rich); piped, it prints plain progress lines.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import redis

from lessons.processes import launch_argv
from lessons.settings import REDIS_URL
from lessons.story import Story, wait_until

LESSON = "celery_basics.lesson15_progress"
QUEUE = "lesson15_progress"
JOBS, STEPS = 3, 10


def main(argv=None) -> int:
    with Story(15, argv) as story:
        story.start_fresh(queues=[QUEUE], exchanges=[QUEUE])
        results = redis.Redis.from_url(REDIS_URL, decode_responses=True)
        log = Path(tempfile.mkstemp(prefix="lesson15-", suffix=".jsonl")[1])
        story.cleanup(lambda: log.unlink(missing_ok=True), always=True)

        story.section(f"A worker that runs {JOBS} jobs at once")
        worker = story.start_worker("worker", "tasks", "--concurrency", str(JOBS),
                                    "--without-mingle", "--without-gossip")

        story.section(f"The client starts {JOBS} jobs ({STEPS}, {STEPS + 2}, {STEPS + 4} steps of 0.2 s) and follows them")
        args = ["--jobs", str(JOBS), "--steps", str(STEPS), "--log", str(log)]
        snapshot = None

        def progress_in_redis():
            """The raw value the backend holds for a job in PROGRESS (read beside the client)."""
            nonlocal snapshot
            for task_id in ids():
                key = f"celery-task-meta-{task_id}"
                value = results.get(key)
                if value and '"PROGRESS"' in value:
                    snapshot = (key, json.loads(value))
                    return True
            return False

        def ids():
            return {json.loads(line)["id"] for line in log.read_text().splitlines() if line.strip()}

        if sys.stdout.isatty():
            story.say("(Live bars below, drawn by the client itself with rich.progress.)")
            with worker.quiet():
                # On the terminal itself (rich draws there), through the launcher like any role.
                client = subprocess.Popen(launch_argv(f"{LESSON}.client", *args), cwd=story.folder)
                try:
                    wait_until(lambda: log.stat().st_size > 0 and progress_in_redis(), timeout=30,
                               what="a job in PROGRESS")
                    client.wait(timeout=60)
                finally:
                    if client.poll() is None:
                        client.kill()
            code, output = client.returncode, ""
        else:
            process = story.start("client", f"{LESSON}.client", *args)
            wait_until(lambda: log.stat().st_size > 0 and progress_in_redis(), timeout=30,
                       what="a job in PROGRESS")
            code, output = process.wait(timeout=60), process.output
        story.check(code == 0, "the client ended by itself once every job was done")

        readings = [json.loads(line) for line in log.read_text().splitlines()]
        story.table("What the client read, per job", ("job", "readings", "progress seen", "last state", "result"),
                    [(name, len(seq := [r for r in readings if r["job"] == name]),
                      " ".join(str(c) for c in dict.fromkeys(r["current"] for r in seq)),
                      seq[-1]["state"], f'{seq[-1]["current"]}/{seq[-1]["total"]}')
                     for name in dict.fromkeys(r["job"] for r in readings)])
        for n in range(1, JOBS + 1):
            name, steps = f"job-{n}", STEPS + 2 * (n - 1)
            seq = [r["current"] for r in readings if r["job"] == name]
            last = [r for r in readings if r["job"] == name][-1]
            story.check(all(a <= b for a, b in zip(seq, seq[1:], strict=False)),
                        f"{name}: progress only went up")
            story.check(last["state"] == "SUCCESS" and last["current"] == last["total"] == steps
                        and len(set(seq)) >= 4,
                        f"{name}: ended at {steps}/{steps} = SUCCESS, with intermediate steps seen on the way")
        if output:
            story.check(all(f"job-{n}: SUCCESS, job-{n} done" in output for n in range(1, JOBS + 1)),
                        "the client printed each job's result")
        key, value = snapshot
        story.say(f"Mid-run, Redis held for {key}:\n  {json.dumps({k: value[k] for k in ('status', 'result')})}")
        story.check(value["status"] == "PROGRESS" and set(value["result"]) == {"current", "total"},
                    "the progress lives in the result backend: state PROGRESS, meta {current, total}")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
