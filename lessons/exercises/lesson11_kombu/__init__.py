"""Exercise 11: a kombu ConsumerMixin worker that acks and prefetches one, on RabbitMQ and Redis."""

import time

from lessons.exercises import Exercise
from lessons.waiting import eventually

QUEUE = "exercise11.tasks"
TASKS = ["long......", "short.", "short."]


def publish(url):
    from kombu import Connection, Exchange, Queue

    exchange = Exchange(QUEUE, type="direct", durable=True)
    queue = Queue(QUEUE, exchange, routing_key=QUEUE, durable=True)
    with Connection(url, connect_timeout=5) as connection:
        producer = connection.Producer(serializer="json")
        for seq, task in enumerate(TASKS, 1):
            producer.publish({"task": task, "seq": seq}, exchange=exchange, routing_key=QUEUE,
                             declare=[queue], retry=True, retry_policy={"max_retries": 2})


def waiting(ck, transport) -> int:
    if transport == "amqp":
        return ck.queue_depth(QUEUE) or 0
    return ck.redis().llen(QUEUE)


def check(ck):
    from lessons import settings

    for transport, url in (("amqp", settings.AMQP_URL), ("redis", settings.REDIS_URL)):
        name = "RabbitMQ" if transport == "amqp" else "Redis"
        ck.section(f"On {name}: three tasks wait, the first takes 1.2 s; the worker does them (--max-messages 3)")
        publish(url)
        worker = ck.start_file("worker.py", "--broker", transport, "--max-messages", str(len(TASKS)),
                               "--seconds-per-dot", "0.2", name=f"worker-{transport}")
        ck.wait_for_line(worker, r"\[x\] Received 'long", 20, "print \" [x] Received 'long...'\"")
        if transport == "amqp":
            time.sleep(0.5)
            ready = waiting(ck, transport)
            ck.expect(ready == 2, "while it works on the first task the two others wait in the queue (prefetch 1)",
                      f"while it works on the first task, {ready} of the other 2 wait in the queue: it took "
                      "more than one unacknowledged message (set the consumer's prefetch_count).")
        try:
            worker.wait(timeout=15)
        except Exception:
            worker.stop(grace=1.0)
            ck.stop(f"the worker did not stop after {len(TASKS)} tasks within 15 s (it did "
                    f"{worker.count(r'Done')}). With one message at a time, the next comes only after "
                    "an ack: does on_task call message.ack()?")
        ck.expect(worker.returncode == 0 and worker.count(r"\[x\] Done") == len(TASKS),
                  f"it did the {len(TASKS)} tasks and stopped", f"the worker failed: {ck.diagnose(worker)}")
        eventually(lambda t=transport: waiting(ck, t) > 0, timeout=1.0)  # would anything come back?
        left = waiting(ck, transport)
        ck.expect(left == 0, f"after it stopped, '{QUEUE}' on {name} is empty: every message was acknowledged",
                  f"after it stopped, {left} messages came back to '{QUEUE}' on {name}: they were never "
                  "acknowledged (message.ack()), so the broker gave them back.")
        if left:
            if transport == "amqp":
                ck.drain(QUEUE)
            else:
                ck.redis().delete(QUEUE)


EXERCISES = (
    Exercise(
        name="kombu-worker",
        title="A kombu worker that acks, on RabbitMQ and on Redis",
        files=("worker.py",),
        task="Make the ConsumerMixin worker in worker.py take one message at a time and acknowledge "
             "each after its work; the checker runs it on RabbitMQ and on Redis.",
        check=check,
        hints=(
            "kombu speaks the same language as pika: a consumer has a prefetch count, and a message "
            "is done when it is acknowledged. Where are both set in kombu?",
            "The Consumer takes prefetch_count=1; the message handed to a callback has .ack().",
            "In get_consumers: Consumer(queues=[task_queue], callbacks=[self.on_task], accept=[\"json\"], "
            "prefetch_count=1). In on_task, after the work: message.ack().",
        ),
        starter_says=r"\[no\] while it works on the first task, 0 of the other 2 wait",
        deadline=75,
    ),
)
