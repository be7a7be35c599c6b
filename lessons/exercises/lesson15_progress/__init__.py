"""Exercise 15: a PROGRESS state with update_state, read from the result backend."""

from lessons.exercises import Exercise
from lessons.waiting import eventually

QUEUE = "exercise15"
PHOTOS = 6


def check(ck):
    ck.section(f"A worker starts; the checker sends resize_album({PHOTOS}) and polls its state in Redis")
    worker = ck.start_worker(app="tasks")
    client = ck.celery_client()
    task_id = ck.send_task(client, "exercise15.resize_album", PHOTOS, queue=QUEUE)
    seen = []  # (state, meta) in the order they were read, without repeats

    def ended():
        meta = ck.task_meta(task_id)
        entry = (meta["status"], meta["result"]) if meta else ("PENDING", None)
        if not seen or seen[-1] != entry:
            seen.append(entry)
        return entry[0] in ("SUCCESS", "FAILURE")

    eventually(ended, timeout=15, interval=0.03)
    ck.say("Read from Redis: " + ", ".join(f"{state} {result}" if state == "PROGRESS" else state for state, result in seen))
    final = seen[-1] if seen else ("PENDING", None)
    ck.require(final[0] in ("SUCCESS", "FAILURE"), "the task ended",
               f"the task did not end within 15 s (last state {final[0]}). {ck.diagnose(worker) if not worker.running else ''}")
    progress = [result for state, result in seen if state == "PROGRESS"]
    ck.expect(len(progress) >= 3, f"while it ran, its state was PROGRESS ({len(progress)} different readings)",
              "its state was never PROGRESS while it ran: a client sees no progress. Report it with "
              "update_state after each photo." if not progress else
              f"its state was PROGRESS only {len(progress)} times: report it after each photo.")
    if progress:
        shape = all(isinstance(r, dict) and set(r) >= {"done", "total"} for r in progress)
        ck.expect(shape and all(r["total"] == PHOTOS for r in progress),
                  f"each PROGRESS carries done and total ({PHOTOS})",
                  f"the PROGRESS meta was {progress[:3]}...: it should be {{'done': n, 'total': {PHOTOS}}}.")
        if shape:
            done = [r["done"] for r in progress]
            ck.expect(done == sorted(done) and done[-1] >= PHOTOS - 1 and done[0] >= 1,
                      f"done went up photo by photo: {done}",
                      f"done went {done}: it should count the photos done so far, up to {PHOTOS}.")
    ck.expect(final == ("SUCCESS", {"resized": PHOTOS}), f"it ended SUCCESS with {{'resized': {PHOTOS}}}",
              f"it ended {final[0]} with {final[1]!r}.")


EXERCISES = (
    Exercise(
        name="progress",
        title="Report the progress of a long job",
        files=("tasks.py",),
        task="Make exercise15.resize_album report the state PROGRESS with {\"done\": n, \"total\": photos} "
             "after each photo.",
        check=check,
        hints=(
            "A task can write its own state to the result backend while it runs; a client reads it "
            "as AsyncResult(id).state and .info, like any other state.",
            "The task needs itself: @app.task(..., bind=True) and a first parameter self. Then "
            "self.update_state(state=..., meta=...).",
            "    for done in range(1, photos + 1):\n"
            "        time.sleep(SECONDS_PER_PHOTO)\n"
            "        self.update_state(state=\"PROGRESS\", meta={\"done\": done, \"total\": photos})",
        ),
        starter_says=r"\[no\] its state was never PROGRESS while it ran",
        deadline=60,
    ),
)
