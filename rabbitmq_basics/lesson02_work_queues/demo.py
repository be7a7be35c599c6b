"""Lesson 2's story in one terminal: round-robin, acks, durability, fair dispatch.

    make lesson-2            (or: python -m lessons run 2)

Tasks take 0.1 s per dot here (the worker's default is a second) so the demo ends in seconds.
"""

import sys

from lessons import broker
from lessons.management import Management
from lessons.story import Story, eventually, wait_until

LESSON = "rabbitmq_basics.lesson02_work_queues"
QUEUE = "task_queue"
SPEED = ("--seconds-per-dot", "0.1")
READY = r"\[\*\] Waiting"
UNEVEN = ["long-1..........", "short-1.", "long-2..........", "short-2.", "long-3..........", "short-3."]


def done(worker) -> list[str]:
    return [m.group(1) for m in worker.matches(r"\[x\] Done '(.*)'")]


def names(tasks: list[str]) -> str:
    return " ".join(task.rstrip(".") for task in tasks)


def run_batch(story, tasks, prefetch):
    """Two workers with this prefetch do the batch; returns (seconds, tasks done by each)."""
    workers = [story.start(f"worker-{i}", f"{LESSON}.worker", *SPEED, "--prefetch", str(prefetch), ready=READY)
               for i in (1, 2)]
    story.run("new_task", f"{LESSON}.new_task", *tasks)
    wait_until(lambda: sum(len(done(w)) for w in workers) >= len(tasks), timeout=30, interval=0.05,
               what=f"the workers to finish {len(tasks)} tasks")
    first = min(w.when(r"\[x\] Received") for w in workers if w.when(r"\[x\] Received"))
    last = max(w.when(r"\[x\] Done", -1) for w in workers if w.when(r"\[x\] Done", -1))
    for worker in workers:
        worker.stop()
    return last - first, [done(w) for w in workers]


def main(argv=None) -> int:
    with Story(2, argv) as story:
        story.start_fresh(queues=[QUEUE])

        story.section("Round-robin: two workers share six equal tasks")
        tasks = [f"task-{n}." for n in range(1, 7)]
        _, (one, two) = run_batch(story, tasks, prefetch=0)
        story.check(sorted(one + two) == sorted(tasks), "all 6 tasks were done, each exactly once")
        story.check(len(one) == 3 and len(two) == 3, f"3 per worker: worker-1 {one}, worker-2 {two}")

        story.section("Manual acks: a worker dies in the middle of a task")
        story.run("new_task", f"{LESSON}.new_task", "slow-task..........")
        worker1 = story.start("worker-1", f"{LESSON}.worker", *SPEED, ready=READY)
        worker1.wait_for(r"Received 'slow-task")
        story.say("worker-1 took the task and has not acked it yet. Killing it with SIGKILL ...")
        worker1.kill()
        story.check(not done(worker1), "worker-1 died before it could finish or ack the task")
        story.check(eventually(lambda: broker.queue_depth(QUEUE) == 1),
                    "the broker put the unacknowledged task back on the queue (1 message ready)")

        story.section("Durability: look at the waiting task from outside (management API)")
        management = Management()
        queue = management.queue(QUEUE)
        story.check(queue["durable"], f"the queue '{QUEUE}' is durable: it survives a broker restart")
        message = management.peek(QUEUE)[0]
        story.say(f"The message as the broker holds it: payload {message['payload']!r}, "
                  f"delivery_mode {message['properties'].get('delivery_mode')}, redelivered {message['redelivered']}")
        story.check(message["properties"].get("delivery_mode") == 2,
                    "the message is persistent (delivery_mode 2): it survives a restart too")
        story.check(message["redelivered"], "the broker marked it as redelivered")

        worker2 = story.start("worker-2", f"{LESSON}.worker", *SPEED, "--max-messages", "1", ready=READY)
        worker2.wait(timeout=15)
        story.check(worker2.count(r"Received 'slow-task\.*' \(redelivered\)") == 1 and done(worker2),
                    "worker-2 got the same task, flagged redelivered, and finished it: nothing lost")
        story.check(broker.queue_depth(QUEUE) == 0, "the queue is empty: worker-2 acknowledged the task")

        story.section("Fair dispatch: an uneven batch (long, short, long, ...), without and with prefetch 1")
        plain_time, plain = run_batch(story, UNEVEN, prefetch=0)
        story.check(any(all(t.startswith("long") for t in got) for got in plain),
                    f"without prefetch one worker got every long task: {plain}")
        fair_time, fair = run_batch(story, UNEVEN, prefetch=1)
        story.table("Finish time for the same uneven batch", ["dispatch", "seconds", "worker-1", "worker-2"], [
            ("round-robin", f"{plain_time:.2f}", names(plain[0]), names(plain[1])),
            ("prefetch 1", f"{fair_time:.2f}", names(fair[0]), names(fair[1])),
        ])
        story.check(all(any(t.startswith("long") for t in got) for got in fair),
                    "with prefetch 1 both workers took long tasks")
        story.check(fair_time < plain_time,
                    f"fair dispatch finished sooner: {fair_time:.2f} s instead of {plain_time:.2f} s")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
