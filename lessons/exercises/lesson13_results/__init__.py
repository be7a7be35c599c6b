"""Exercise 13: a result backend, STARTED, result_expires and ignore_result."""

import time

from lessons.exercises import Exercise
from lessons.waiting import eventually

QUEUE = "exercise13"


def check(ck):
    ck.section("A worker starts with your tasks.py; the checker sends slow_square(12)")
    worker = ck.start_worker(app="tasks")
    client = ck.celery_client()
    task_id = ck.send_task(client, "exercise13.slow_square", 12, queue=QUEUE)
    seen = []  # the states read, in order, without repeats

    def record(state):
        if not seen or seen[-1] != state:
            seen.append(state)

    def ended():
        meta = ck.task_meta(task_id)
        record(meta["status"] if meta else "PENDING")
        return seen[-1] in ("SUCCESS", "FAILURE") or worker.count(rf"slow_square\[{task_id}\] succeeded")

    if eventually(ended, timeout=10, interval=0.05):
        time.sleep(0.2)
        if meta := ck.task_meta(task_id):
            record(meta["status"])
    ck.say(f"States read from Redis, in order: {' -> '.join(seen)}")
    meta = ck.task_meta(task_id)
    ck.require(ck.lines_soon(worker, rf"slow_square\[{task_id}\] succeeded"), "the worker ran slow_square",
               f"the worker did not run slow_square within 10 s: {ck.diagnose(worker)}")
    ck.expect(meta is not None and meta["status"] == "SUCCESS" and meta["result"] == 144,
              "its result, 144, is in Redis under celery-task-meta-<id>: a client can read it",
              "no result reached Redis although the worker ran the task: the app has no result "
              "backend, so a client would wait forever (PENDING)." if meta is None else
              f"Redis holds {meta['status']} {meta.get('result')!r}, not SUCCESS 144.")
    ck.expect("STARTED" in seen, "while it ran, its state was STARTED",
              "its state never was STARTED: a task reports STARTED only when task_track_started is on.")
    ttl = ck.redis().ttl(f"celery-task-meta-{task_id}")
    ck.expect(meta is not None and 0 < ttl <= 600, f"Redis keeps the result for 10 minutes (it expires in {ttl} s)",
              f"Redis keeps the result for {ttl} s, not 600 (result_expires)." if meta is not None else
              "no result to expire (no result backend yet).")

    ck.section("The checker sends log_line('hello'), whose result nobody reads")
    line_id = ck.send_task(client, "exercise13.log_line", "hello", queue=QUEUE)
    ck.wait_for_line(worker, rf"log_line\[{line_id}\] succeeded", 10, "run log_line")
    time.sleep(0.2)
    stored = ck.task_meta(line_id)
    ck.expect(stored is None and meta is not None, "log_line stored no result (ignore_result)",
              f"log_line stored a result ({stored['status']}) that nobody will read: ignore it." if stored
              else "(with no result backend nothing is stored anyway; set ignore_result on log_line too)")


EXERCISES = (
    Exercise(
        name="results",
        title="Results a client can read, and states that mean something",
        files=("tasks.py",),
        task="In tasks.py: store results in Redis, report STARTED, keep results 10 minutes, and store "
             "no result for log_line.",
        check=check,
        hints=(
            "Results live in the result backend, which the app names (like the broker). Everything "
            "else is a setting of the app or an option of one task.",
            "Celery(..., backend=REDIS_URL); settings task_track_started and result_expires (seconds); "
            "the task option ignore_result.",
            "    app = Celery(\"exercise13\", broker=AMQP_URL, backend=REDIS_URL)\n"
            "    app.conf.update(..., task_track_started=True, result_expires=600)\n"
            "    @app.task(name=\"exercise13.log_line\", ignore_result=True)",
        ),
        starter_says=r"\[no\] no result reached Redis although the worker ran the task",
        deadline=60,
    ),
)
