"""Lesson 16's story in one terminal: one worker, then every canvas primitive, then a failing chord.

    make lesson-16            (or: python -m lessons run 16)
"""

import json
import sys

from celery_basics.lesson16_workflows.tasks import DATABASES
from lessons import broker
from lessons.story import Story

LESSON = "celery_basics.lesson16_workflows"
QUEUE = "lesson16_workflows"


def main(argv=None) -> int:
    with Story(16, argv) as story:
        # Celery names the default exchange after the default queue: both go at the end.
        story.start_fresh(queues=[QUEUE], exchanges=[QUEUE])

        story.section("Start one worker")
        story.say("Its log has two lines per task (about 40 tasks here), so the demo keeps it quiet\n"
                  "and shows the lines that matter. 'make lesson-16 ROLE=worker' shows all of it.")
        worker = story.start_worker("worker", "tasks", "--concurrency", "2", echo=False)
        story.say("worker: ready, consuming the queue 'lesson16_workflows'.")

        results = {}

        def client(title, *workflows):
            story.section(title)
            process = story.run("client", f"{LESSON}.client", *workflows)
            for match in process.matches(r"\[\.\] ([\w-]+): (.*)$"):
                results[match[1]] = json.loads(match[2])

        client("Signatures and partials", "signatures")
        story.check(results.get("signature") == 4, "the signature add.s(2, 2) ran on the worker: 4")
        story.check(results.get("partial") == 15, "the partial add.s(10), completed with 5: 15")

        client("A chain passes each result on", "chain")
        story.check(results.get("chain") == 33, "add(2, 2) | mul(8) | add(1) = ((2 + 2) * 8) + 1 = 33")

        client("A group runs tasks side by side", "group")
        story.check(results.get("group") == [i * i for i in range(10)],
                    "the group of 10 mul tasks returned the 10 squares, in order")

        client("The report: a chord of database queries and a merge", "report")
        expected = {
            "databases": list(DATABASES),
            "orders": sum(len(rows) for rows in DATABASES.values()),
            "revenue": sum(sum(rows) for rows in DATABASES.values()),
            "gaps": [],
        }
        story.table("The 'databases' (tasks.DATABASES)", ["database", "orders", "revenue"],
                    [(name, len(rows), sum(rows)) for name, rows in DATABASES.items()])
        story.check(results.get("report") == expected,
                    f"merge_report got all 3 query results: {expected['orders']} orders, "
                    f"revenue {expected['revenue']}")

        client("map, starmap and chunks for many small items", "many")
        story.check(results.get("map") == [6, 30, 100], "xsum.map: one task summed 3 lists: [6, 30, 100]")
        story.check(results.get("starmap") == [2, 4, 6], "add.starmap: one task, 3 additions: [2, 4, 6]")
        story.check(results.get("chunks") == {"tasks": 10, "results": 100, "total": 9900},
                    "add.chunks: 100 additions in 10 tasks of 10, total 9900")

        client("An immutable signature ignores the result before it", "immutable")
        story.check(results.get("immutable") == "notified: the sum is ready",
                    "notify.si(...) ran after add(2, 2) without receiving its 4")

        client("One member of the chord fails", "failing")
        story.check(results.get("chord-error") == {"state": "FAILURE", "error": "ChordError"},
                    "the chord's result is a FAILURE with a ChordError; merge_report never ran")
        errback = worker.wait_for(r"\[!\] report \S+ failed: ChordError", timeout=10)
        expected_line = worker.matches(r"raised expected: LookupError")
        chord_line = worker.matches(r"Chord '\S+' raised: ChordError")
        story.say("The worker's log, the lines that matter:")
        for line in (expected_line[:1] + chord_line[:1]):
            story.say("    " + line.string.split("] ", 1)[-1])
        story.say("    (then the ChordError's traceback: Celery logs it with logger.exception)")
        story.say("    " + errback.string.split("] ", 1)[-1].strip())
        story.check(len(expected_line) == 1,
                    "the 'legacy' query failed once, logged as expected (throws=) without a traceback")
        story.check(bool(chord_line), "the worker logged the chord's ChordError")
        story.check(bool(errback), "the error callback linked with on_error() ran with the ChordError")
        story.check(results.get("partial-report", {}).get("gaps") == ["legacy"]
                    and results["partial-report"]["databases"] == ["eu", "asia"],
                    "handled: query_sales_or_gap turned the failure into a gap; the report lists 'legacy'")

        story.section("From outside")
        ran = worker.count(r"succeeded in")
        story.say(f"The worker ran {ran} tasks successfully; the queue '{QUEUE}' now holds "
                  f"{broker.queue_depth(QUEUE)} messages.")
        story.check(broker.queue_depth(QUEUE) == 0, f"every task was taken: the queue '{QUEUE}' is empty")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
