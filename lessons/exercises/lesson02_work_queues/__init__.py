"""Exercise 2: a fair worker (prefetch 1) that acks after the work, checked by killing it mid-task."""

import time

from lessons.exercises import Exercise
from lessons.waiting import eventually

QUEUE = "exercise02.tasks"
LONG = "long............"  # 12 dots: 3 s at 0.25 s a dot
TASKS = [LONG, "short-1.", "short-2.", "short-3."]


def publish(tasks):
    import pika

    from lessons import broker

    with broker.channel() as channel:
        channel.queue_declare(queue=QUEUE, durable=True)
        for task in tasks:
            channel.basic_publish(exchange="", routing_key=QUEUE, body=task,
                                  properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))


def done(worker):
    return [m.group(1) for m in worker.matches(r"\[x\] Done '(.*)'")]


def check(ck):
    ck.section(f"Four tasks wait in '{QUEUE}'; the first takes 3 s. The worker starts.")
    publish(TASKS)
    worker = ck.start_file("worker.py", "--seconds-per-dot", "0.25", name="worker-1")
    ck.wait_for_consumer(worker, QUEUE)
    ck.wait_for_line(worker, r"\[x\] Received 'long", 10, f"print \" [x] Received '{LONG}'\"")
    time.sleep(0.5)  # time for a prefetch-less broker to push the rest
    ready = ck.queue_depth(QUEUE)
    ck.expect(ready == 3, "while it works on the long task, the 3 others wait in the queue: "
                          "the worker holds one task at a time (fair dispatch)",
              f"while the worker works on the long task, {ready} of the other 3 tasks wait in the "
              f"queue: the broker pushed {3 - (ready or 0)} more to this busy worker. A second worker "
              "could not have them. Limit what it may hold unacknowledged (prefetch).")

    ck.section("The worker dies in the middle of the long task (SIGKILL)")
    ck.require(not done(worker), "the worker is still busy with the long task",
               f"the worker finished tasks too soon ({done(worker)}); does it sleep one "
               "--seconds-per-dot per dot?")
    worker.kill()
    back = eventually(lambda: ck.queue_depth(QUEUE) == 4, timeout=5)
    ready = ck.queue_depth(QUEUE)
    ck.expect(back, "the broker put the long task back in the queue: it had not been acknowledged yet",
              f"after the worker died, {ready} tasks are in the queue, not 4: the {4 - (ready or 0)} it "
              "held, the one it was working on included, are lost: they were acknowledged when they "
              "arrived. Acknowledge after the work instead.")

    ck.section("A new worker does what is left")
    left = ck.queue_depth(QUEUE) or 0
    if not left:
        ck.say("(Nothing is left for a new worker to do: the tasks are gone.)")
        return
    again = ck.start_file("worker.py", "--seconds-per-dot", "0.05", name="worker-2")
    finished = eventually(lambda: len(done(again)) >= left, timeout=10)
    ck.expect(finished, f"it did the {left} tasks left, one after the other",
              f"the new worker did {len(done(again))} of the {left} tasks left within 10 s"
              + (": with prefetch 1 the broker sends the next task only after an ack. Does the "
                 "callback call basic_ack?" if 0 < len(done(again)) < left else "."))
    again.stop(grace=2.0)
    ready = ck.queue_depth(QUEUE)
    ck.expect(ready == 0 and finished, "after it stopped, the queue is empty: every task was acknowledged",
              f"after the worker stopped, {ready} tasks came back to the queue: they had not been "
              "acknowledged (basic_ack).")


EXERCISES = (
    Exercise(
        name="fair-worker",
        title="A fair worker that acks after the work",
        files=("worker.py",),
        task="Make worker.py fair (at most one unacknowledged task at a time) and make it acknowledge "
             "each task after the work, so a worker killed mid-task loses nothing.",
        check=check,
        hints=(
            "Two settings of the consumer decide this: how many unacknowledged messages the broker "
            "may send it (the prefetch, set with basic_qos) and when a message counts as done "
            "(auto_ack on arrival, or an explicit basic_ack).",
            "Before basic_consume: channel.basic_qos(prefetch_count=1). Then drop auto_ack=True from "
            "basic_consume: the broker now waits for your ack. (A prefetch does nothing with "
            "auto_ack=True: it only counts unacknowledged messages.)",
            "As the last line of the callback, after the work and the \" [x] Done\" line:\n"
            "    ch.basic_ack(delivery_tag=method.delivery_tag)",
        ),
        starter_says=r"\[no\] while the worker works on the long task, 0 of the other 3 tasks wait",
        deadline=60,
    ),
)
