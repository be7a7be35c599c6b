"""Exercise 9: a work queue that dead-letters rejected, expired and pushed-out messages."""

import time

from lessons.exercises import Exercise
from lessons.waiting import eventually

WORK, DEAD = "exercise09.work", "exercise09.dead"


def reasons(ck) -> dict[str, str]:
    """body -> the reason in its x-death header, for every message in the dead-letter queue."""
    found = {}
    for _, properties, body in ck.drain(DEAD):
        deaths = (properties.headers or {}).get("x-death") or [{}]
        reason = deaths[0].get("reason")
        found[body.decode()] = reason.decode() if isinstance(reason, bytes) else reason
    return found


def check(ck):
    import pika

    from lessons import broker

    ck.section("declare_queues.py declares the queues")
    run = ck.run_file("declare_queues.py", timeout=15)
    ck.require(run.returncode == 0, "declare_queues.py ran and exited with code 0", ck.diagnose(run))
    ck.require(ck.queue_depth(WORK) is not None and ck.queue_depth(DEAD) is not None,
               f"'{WORK}' and '{DEAD}' exist", f"'{WORK}' and '{DEAD}' must both exist.")

    with broker.channel() as channel:
        ck.section("A message expires (it may wait 100 ms)")
        channel.basic_publish("", WORK, body="expires", properties=pika.BasicProperties(expiration="100"))
        time.sleep(0.3)
        ck.queue_depth(WORK)  # a classic queue drops expired messages at its head when looked at
        eventually(lambda: ck.queue_depth(DEAD) >= 1, timeout=2)

        ck.section("Five messages arrive; then a consumer rejects one")
        for n in range(1, 6):
            channel.basic_publish("", WORK, body=f"task-{n}")
        time.sleep(0.2)
        method, _, body = channel.basic_get(WORK)
        if method is not None:
            channel.basic_reject(method.delivery_tag, requeue=False)
            ck.say(f"(The checker rejected {body.decode()!r} without requeueing it.)")
    eventually(lambda: (ck.queue_depth(DEAD) or 0) >= 4, timeout=2)

    left = ck.queue_depth(WORK)
    ck.expect(left == 2, f"'{WORK}' holds 2 messages: at most 3, minus the rejected one",
              f"'{WORK}' holds {left} messages after 5 arrived and 1 was rejected: with at most 3 it "
              "would hold 2. Limit its length (x-max-length).")
    dead = reasons(ck)
    ck.say(f"In '{DEAD}': " + (", ".join(f"{body} ({reason})" for body, reason in dead.items()) or "nothing"))
    ck.expect(dead.get("expires") == "expired", "the expired message was dead-lettered (reason 'expired')",
              "the expired message did not reach the dead-letter queue: the work queue has no "
              "dead-letter exchange (x-dead-letter-exchange).")
    pushed = sorted(body for body, reason in dead.items() if reason == "maxlen")
    ck.expect(pushed == ["task-1", "task-2"], "the two oldest tasks, pushed out by newer ones, were dead-lettered (reason 'maxlen')",
              f"the tasks pushed out of the full queue are {pushed or 'none'}, not task-1 and task-2: "
              "the queue needs both a length limit of 3 and a dead-letter exchange.")
    rejected = [body for body, reason in dead.items() if reason == "rejected"]
    ck.expect(rejected == ["task-3"], "the rejected task was dead-lettered (reason 'rejected')",
              f"the rejected task did not reach the dead-letter queue ({rejected or 'nothing was'} "
              "dead-lettered as rejected).")


EXERCISES = (
    Exercise(
        name="dead-letters",
        title="Dead-letter what is rejected, expired or pushed out",
        files=("declare_queues.py",),
        task="Declare 'exercise09.work' in declare_queues.py with at most 3 messages and the "
             "dead-letter exchange 'exercise09.dlx', so nothing leaves it unseen.",
        check=check,
        hints=(
            "Dead-lettering and length limits are properties of the queue: they are set as queue "
            "arguments when the queue is declared (or by a policy).",
            "Two arguments: x-dead-letter-exchange (where dead letters go) and x-max-length (how "
            "many messages the queue keeps; by default the oldest is dropped, and dead-lettered).",
            "    channel.queue_declare(queue=\"exercise09.work\", durable=True, arguments={\n"
            "        \"x-dead-letter-exchange\": \"exercise09.dlx\", \"x-max-length\": 3})",
        ),
        starter_says=r"\[no\] the expired message did not reach the dead-letter queue",
        deadline=45,
    ),
)
