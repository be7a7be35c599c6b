"""Lesson 3's story in one terminal: one log line, every subscriber gets a copy.

    make lesson-3            (or: python -m lessons run 3)
"""

import sys

from lessons.management import Management
from lessons.story import Story, wait_until

LESSON = "rabbitmq_basics.lesson03_publish_subscribe"
EXCHANGE = "logs"
QUEUE_LINE = r"\[\*\] Queue (amq\.gen-\S+) bound"


def main(argv=None) -> int:
    with Story(3, argv) as story:
        management = Management()
        story.start_fresh(exchanges=[EXCHANGE])

        story.section("Emit while nobody listens: the exchange has no queue to copy into")
        story.run("emit", f"{LESSON}.emit_log", "info: is anybody there?")
        story.check(management.bindings(EXCHANGE) == [],
                    f"the exchange '{EXCHANGE}' exists but has no binding, so that line went nowhere")

        story.section("Two receivers: each declares its own temporary queue and binds it")
        receivers = [story.start(f"receiver-{i}", f"{LESSON}.receive_logs", "--max-messages", "4",
                                 ready=r"\[\*\] Waiting") for i in (1, 2)]
        queues = [r.wait_for(QUEUE_LINE).group(1) for r in receivers]
        bound = sorted(b["destination"] for b in management.bindings(EXCHANGE))
        story.table(f"Bindings of exchange '{EXCHANGE}' (management API)", ["queue", "exclusive"],
                    [(q, management.queue(q)["exclusive"]) for q in bound])
        story.check(bound == sorted(queues),
                    "the management API shows one binding per receiver, to the queue each printed")
        story.check(all(management.queue(q)["exclusive"] for q in queues),
                    "both queues are server-named (amq.gen-...) and exclusive")

        story.section("Emit three lines: both receivers get every one")
        lines = ["info: user logged in", "warning: disk 80% full", "error: disk full"]
        for line in lines:
            story.run("emit", f"{LESSON}.emit_log", line)
        for r in receivers:
            r.wait_for(r"\[x\] error: disk full")
        story.check(all(received(r) == lines for r in receivers),
                    "receiver-1 and receiver-2 each got all 3 lines, in order")

        story.section("A late receiver: it missed what was sent before it started")
        late = story.start("late", f"{LESSON}.receive_logs", "--max-messages", "1",
                           ready=r"\[\*\] Waiting")
        queues.append(late.wait_for(QUEUE_LINE).group(1))
        story.run("emit", f"{LESSON}.emit_log", "info: one more")
        codes = [r.wait(timeout=10) for r in (*receivers, late)]
        story.check(received(late) == ["info: one more"],
                    "the late receiver got only the line sent after it started: nothing is stored for absent subscribers")
        story.check(all(received(r) == [*lines, "info: one more"] for r in receivers),
                    "the first two receivers got that line too (4 each)")
        story.check(not any("is anybody there" in r.output for r in (*receivers, late)),
                    "nobody ever got the line emitted before any receiver existed")
        story.check(codes == [0, 0, 0], "all three receivers stopped by themselves (--max-messages), exit code 0")

        story.section("The receivers are gone: so are their queues and bindings")
        wait_until(lambda: all(management.queue(q) is None for q in queues), timeout=5,
                   what="the exclusive queues to disappear")
        story.check(all(management.queue(q) is None for q in queues),
                    "the 3 exclusive queues were deleted when their connections closed")
        story.check(management.bindings(EXCHANGE) == [],
                    f"the exchange '{EXCHANGE}' has no bindings left (it stays until deleted)")
    return story.exit_code


def received(process) -> list[str]:
    return [m.group(1) for m in process.matches(r"\[x\] (.*)$")]


if __name__ == "__main__":
    sys.exit(main())
