"""Lesson 9's story in one terminal: dead letters, delayed retry, priorities, a quorum queue's limit.

    make lesson-9            (or: python -m lessons run 9)

TTLs and delays are scaled down to a fraction of a second so the story takes seconds.
"""

import sys

from lessons import broker
from lessons.management import Management
from lessons.story import Story

LESSON = "rabbitmq_basics.lesson09_dead_letters"
DEAD_LETTERS, DLX = "lesson09.dead_letters", "lesson09.dlx"
QUEUES = (DEAD_LETTERS, "lesson09.work", "lesson09.ttl", "lesson09.drop_head", "lesson09.reject_publish",
          "lesson09.tasks", "lesson09.tasks.retry", "lesson09.tasks.parking_lot", "lesson09.priority",
          "lesson09.quorum")
DELAY_MS = 300
MAX_TRIES = 3
DELIVERY_LIMIT = 2


def dead_letters(management: Management) -> list[tuple[str, str, str]]:
    """(body, reason, queue) of each dead letter, read from outside with the management API."""
    rows = []
    for message in management.peek(DEAD_LETTERS, count=50):
        death = message["properties"]["headers"]["x-death"][0]
        rows.append((message["payload"], death["reason"], death["queue"]))
    return rows


def main(argv=None) -> int:
    with Story(9, argv) as story:
        story.start_fresh(queues=QUEUES, exchanges=[DLX])
        management = Management()

        story.section("Four ways to become a dead letter (TTL scaled down to 200 ms)")
        maker = story.run("dead", f"{LESSON}.dead_letters", "--ttl", "200", "--max-length", "2")
        rows = dead_letters(management)
        story.table(f"The x-death headers in '{DEAD_LETTERS}', read with the management API",
                    ("message", "x-death reason", "from queue"), rows)
        by_reason = {}
        for body, reason, queue in rows:
            by_reason.setdefault(reason, set()).add((body, queue))
        story.check(by_reason.get("rejected") == {("reject me", "lesson09.work"), ("nack me", "lesson09.work")},
                    "basic_reject and basic_nack without requeue both dead-lettered: reason 'rejected'")
        story.check(by_reason.get("expired") == {("expire with the queue's TTL", "lesson09.ttl"),
                                                 ("expire with my own TTL", "lesson09.work")},
                    "the queue TTL (x-message-ttl) and the message's expiration both dead-lettered: reason 'expired'")
        story.check(by_reason.get("maxlen") == {("drop-head 1", "lesson09.drop_head"),
                                                ("drop-head 2", "lesson09.drop_head"),
                                                ("reject-publish 3", "lesson09.reject_publish")},
                    "x-max-length 2: drop-head pushed out the 2 oldest, reject-publish-dlx the newest: reason 'maxlen'")
        story.check(maker.count(r"\[!\] The broker nacked 'reject-publish 3'") == 1
                    and broker.queue_depth("lesson09.reject_publish") == 2,
                    "with reject-publish-dlx the publisher got a nack for the refused message; the queue kept 2")
        story.check(broker.queue_depth("lesson09.drop_head") == 2, "the drop-head queue kept its 2 newest")

        story.section(f"Delayed retry: a TTL queue ({DELAY_MS} ms) and a DLX, the try count from x-death")
        worker = story.start("worker", f"{LESSON}.retry_worker", "--max-tries", str(MAX_TRIES),
                             "--delay", str(DELAY_MS), "--max-messages", "4", ready=r"\[\*\] Waiting")
        story.run("new_task", f"{LESSON}.new_task", "ok 1", "flaky-2 report", "flaky-3 invoice", "poison pill",
                  "--delay", str(DELAY_MS))
        code = worker.wait(timeout=20)
        story.check(code == 0, "the worker stopped by itself once the 4 tasks were done or parked")
        story.check(worker.count(r"Done 'ok 1' on try 1") == 1, "'ok 1' succeeded at once")
        story.check(worker.count(r"Done 'flaky-2 report' on try 2") == 1
                    and worker.count(r"Done 'flaky-3 invoice' on try 3") == 1,
                    "the flaky tasks came back after the delay and succeeded on try 2 and try 3")
        tries = [m.group(1) for m in worker.matches(r"Got 'poison pill' \(try (\d) of")]
        story.check(tries == ["1", "2", "3"] and worker.count(r"'poison pill' failed 3 times: parked") == 1,
                    f"'poison pill' was tried {MAX_TRIES} times (count read from x-death), then parked")
        parked = management.peek("lesson09.tasks.parking_lot", count=5)
        story.check([m["payload"] for m in parked] == ["poison pill"],
                    "the parking lot holds exactly 'poison pill' (seen with the management API)")
        story.check(broker.queue_depth("lesson09.tasks") == 0 and broker.queue_depth("lesson09.tasks.retry") == 0,
                    "the task queue and the retry queue are empty")

        story.section("A priority queue: urgent messages overtake a backlog")
        priority = story.run("priority", f"{LESSON}.priority", "--backlog", "8", "--urgent", "3")
        order = [m.group(1) for m in priority.matches(r"Got '(\w+) \d+'")]
        story.check(order == ["low"] * 2 + ["urgent"] * 3 + ["low"] * 6,
                    "after 2 of the 8 backlog messages, the 3 urgent ones came next, then the rest")
        queue = management.queue("lesson09.priority") or {}
        story.check(queue.get("arguments", {}).get("x-max-priority") == 10,
                    "the management API shows lesson09.priority with x-max-priority 10")

        story.section(f"A quorum queue with x-delivery-limit {DELIVERY_LIMIT}: the poison message is dead-lettered")
        poison = story.run("poison", f"{LESSON}.poison_consumer", "--publish", "poison pill",
                           "--delivery-limit", str(DELIVERY_LIMIT), "--idle-timeout", "2")
        deliveries = poison.matches(r"Got 'poison pill' \(redelivered=(\w+), x-delivery-count (\d+)\)")
        story.check(len(deliveries) == DELIVERY_LIMIT + 1,
                    f"it was delivered {DELIVERY_LIMIT + 1} times ({len(deliveries)}): once, plus "
                    f"{DELIVERY_LIMIT} redeliveries, then no more")
        story.check([m.group(2) for m in deliveries[1:]] == [str(n) for n in range(1, DELIVERY_LIMIT + 1)],
                    "the redeliveries carried x-delivery-count 1, 2")
        quorum = management.queue("lesson09.quorum") or {}
        story.check(quorum.get("type") == "quorum" and broker.queue_depth("lesson09.quorum") == 0,
                    "lesson09.quorum is a quorum queue (management API), and it is empty now")
        story.check(("poison pill", "delivery_limit", "lesson09.quorum") in dead_letters(management),
                    "the poison message is in the dead-letter queue: reason 'delivery_limit'")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
