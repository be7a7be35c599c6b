"""Exercise 14: retries with exponential backoff, judged by the attempts the service saw."""

import time
import uuid

from lessons.exercises import Exercise

QUEUE = "exercise14"


def attempts(ck, job) -> list[float]:
    return [float(t) for t in ck.redis().lrange(f"exercise14:attempts:{job}", 0, -1)]


def gaps(times: list[float]) -> list[float]:
    return [round(b - a, 2) for a, b in zip(times, times[1:], strict=False)]


def check(ck):
    ck.section("A worker starts; the checker sends fetch('flaky-...') and fetch('down-...')")
    worker = ck.start_worker(app="tasks")
    client = ck.celery_client()
    tag = uuid.uuid4().hex[:6]
    flaky, down = f"flaky-{tag}", f"down-{tag}"
    flaky_id = ck.send_task(client, "exercise14.fetch", flaky, queue=QUEUE)
    down_id = ck.send_task(client, "exercise14.fetch", down, queue=QUEUE)
    flaky_meta = ck.wait_for_result(flaky_id, timeout=15)
    down_meta = ck.wait_for_result(down_id, timeout=20)
    time.sleep(0.5)  # an attempt too many would show now
    tried, failed = attempts(ck, flaky), attempts(ck, down)
    ck.say(f"The service saw {flaky}: {len(tried)} attempts, waits {gaps(tried)} s; "
           f"{down}: {len(failed)} attempts, waits {gaps(failed)} s")
    ck.require(tried, "the worker ran fetch", f"the service saw no attempt of fetch: {ck.diagnose(worker)}")

    ck.expect(flaky_meta and flaky_meta["status"] == "SUCCESS" and len(tried) == 3,
              f"the flaky job succeeded on its third attempt: {flaky_meta['result'] if flaky_meta else ''!r}",
              f"the flaky job ended {flaky_meta['status'] if flaky_meta else 'nowhere (no result)'} after "
              f"{len(tried)} attempt(s): it should try again when the service does not answer.")
    ck.expect(down_meta and down_meta["status"] == "FAILURE" and len(failed) == 4,
              "the job whose service is down failed after 4 attempts (3 retries), with ServiceUnavailable",
              f"the job whose service is down made {len(failed)} attempts and ended "
              f"{down_meta['status'] if down_meta else 'with no result'}: it should give up after 3 "
              "retries (max_retries=3).")
    waits = gaps(failed) if len(failed) >= len(tried) else gaps(tried)
    if len(waits) >= 2:
        first_ok = waits[0] <= 1.5
        doubling = all(later >= 1.6 * earlier for earlier, later in zip(waits, waits[1:], strict=False))
        ck.expect(first_ok and doubling, f"the waits between attempts grow: {waits} s (each about twice the one before)",
                  f"the waits between attempts were {waits} s: the first should be at most 1 s and each "
                  "next one at least twice as long (exponential backoff, without jitter).")
    else:
        ck.expect(False, "", "there were not enough retries to see a backoff.")


EXERCISES = (
    Exercise(
        name="retry-with-backoff",
        title="Retry a flaky service with exponential backoff",
        files=("tasks.py",),
        task="Make exercise14.fetch retry when the service raises ServiceUnavailable: waits that double "
             "(the first at most 1 s), at most 3 retries, then fail.",
        check=check,
        hints=(
            "A task can ask Celery to send it again later: self.retry(...) by hand, or options of "
            "@app.task that do it for given exceptions. The wait before a retry is its countdown.",
            "Declarative: autoretry_for=(ServiceUnavailable,), retry_backoff=True, max_retries=3. "
            "Mind retry_jitter: it is on by default with retry_backoff and makes each wait a random "
            "time up to the backoff value.",
            "    @app.task(name=\"exercise14.fetch\", autoretry_for=(ServiceUnavailable,),\n"
            "              retry_backoff=True, retry_jitter=False, max_retries=3)\n"
            "(or bind=True and raise self.retry(exc=exc, countdown=0.5 * 2 ** self.request.retries, "
            "max_retries=3) in an except ServiceUnavailable).",
        ),
        starter_says=r"\[no\] the flaky job ended FAILURE after 1 attempt",
        deadline=60,
    ),
)
