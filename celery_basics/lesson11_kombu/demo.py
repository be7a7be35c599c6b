"""Lesson 11's story in one terminal: the same kombu producer and worker on RabbitMQ, then on Redis.

    make lesson-11            (or: python -m lessons run 11)
"""

import sys

import redis
from kombu import Connection

from celery_basics.lesson11_kombu.queues import BROKERS, task_exchange, task_queue
from lessons import settings
from lessons.management import Management
from lessons.story import Story, wait_until

LESSON = "celery_basics.lesson11_kombu"
TASKS = 12
DEAD_BROKER = "amqp://course:course@127.0.0.1:1/%2F"  # nothing listens on port 1


def depth(url: str) -> int:
    """Messages waiting in the queue, asked through kombu (the same call on both transports)."""
    with Connection(url, connect_timeout=3) as connection:
        return task_queue(connection.channel()).queue_declare().message_count


def remove(url: str) -> None:
    """Delete the queue, its binding and the exchange, through kombu."""
    with Connection(url, connect_timeout=3) as connection:
        queue = task_queue(connection.channel())
        queue.declare()  # kombu deletes what it knows about: declare, then delete
        queue.delete()
        task_exchange(connection.channel()).delete()


def main(argv=None) -> int:
    with Story(11, argv) as story:
        for transport in BROKERS:
            remove(BROKERS[transport])  # a clean start, whatever an earlier run left
            story.cleanup(lambda url=BROKERS[transport]: remove(url))

        for transport, url in BROKERS.items():
            story.section(f"The same code on {transport}:// ({settings.redact(url)})")
            workers = [
                story.start(name, f"{LESSON}.worker", "--broker", transport,
                            "--seconds-per-dot", "0.05", ready=r"\[\*\] Waiting")
                for name in (f"{transport}-w1", f"{transport}-w2")
            ]
            story.say(f"Two workers wait. Now {TASKS} tasks (each dot is 0.05 s of work here, 1 s in lesson 2):")
            story.run("new_task", f"{LESSON}.new_task", "--broker", transport, "--count", str(TASKS))
            wait_until(lambda ws=workers: sum(w.count(r"\[x\] Done") for w in ws) >= TASKS,
                       timeout=20, what=f"{TASKS} tasks done on {transport}")
            done = sorted(int(m.group(1)) for w in workers for m in w.matches(r"\[x\] Done #(\d+)"))
            story.table(f"Who did what on {transport}", ("worker", "tasks"),
                        [(w.name, " ".join(m.group(1) for m in w.matches(r"Done #(\d+)")))
                         for w in workers])
            story.check(done == list(range(1, TASKS + 1)),
                        f"{transport}: every one of the {TASKS} tasks was done exactly once")
            story.check(all(w.count("as application/json") == w.count(r"\[x\] Received") for w in workers),
                        f"{transport}: kombu sent each dict as application/json and decoded it back")
            story.check(depth(url) == 0, f"{transport}: the queue is empty, every message was acked")

            if transport == "amqp":
                management = Management()
                bindings = [b for b in management.bindings("kombu_tasks")
                            if b["destination"] == "kombu_task_queue"]
                story.say("RabbitMQ holds the exchange and the binding itself (management API): "
                          f"exchange 'kombu_tasks' -> queue 'kombu_task_queue', key '{bindings[0]['routing_key']}'."
                          if bindings else "RabbitMQ shows no binding for 'kombu_tasks'.")
                story.check(len(bindings) == 1, "amqp: the broker has a real exchange with one binding")
            else:
                keys = sorted(k.decode() for k in redis.Redis.from_url(url).keys("_kombu.binding*kombu_tasks"))
                story.say("Redis has no exchanges: kombu keeps the 'binding' as a Redis set and routes "
                          f"on the client side. Keys: {', '.join(keys)}.")
                story.check("_kombu.binding.kombu_tasks" in keys,
                            "redis: the exchange is emulated by kombu (a set of bindings, no server-side routing)")
            for worker in workers:
                worker.stop()

        story.section("When the broker is down: kombu's retry policy, then a sentence")
        story.say("ensure_connection(max_retries=3, interval_start=0, interval_step=1) tries for about "
                  "3 s and then raises OperationalError, which the role turns into a sentence:")
        failed = story.run("new_task", f"{LESSON}.new_task", env={"AMQP_URL": DEAD_BROKER},
                           expect_code=1, timeout=20)
        story.check("Cannot reach the broker" in failed.output and failed.count(r"\[x\] Sent") == 0,
                    "with no broker the producer gave up after its retries and said why")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
