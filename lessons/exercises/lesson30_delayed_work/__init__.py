"""Exercise 30: reminders for later wait in the broker, so a one-slot worker on a quorum queue
still runs a task sent for now at once (native delayed delivery).

The reminders are sent through the learner's own app (tasks.py): with native delayed delivery it
is the sender that routes a countdown task into the celery_delayed_* exchanges.
"""

import sys

import pika.exceptions

from lessons import broker
from lessons.exercises import Exercise
from lessons.management import Management

QUEUE = "exercise30"
LATER = 3
# Sent through the learner's app, in the exercise folder: three reminders for in a minute, then one
# for now. It prints the id of the one for now.
SENDER = (
    "from tasks import remind\n"
    f"for n in range(1, {LATER + 1}):\n"
    "    remind.apply_async((f'later-{n}',), countdown=60)\n"
    "print('NOW', remind.delay('now').id, flush=True)\n"
)


def delayed_messages() -> int | None:
    """Messages in the celery_delayed_* queues (None when the worker did not declare them)."""
    total = 0
    try:
        with broker.channel() as channel:
            for level in range(28):
                total += channel.queue_declare(f"celery_delayed_{level}", passive=True).method.message_count
    except pika.exceptions.ChannelClosedByBroker:
        return None
    return total


def delayed_topology_here() -> bool:
    """Whether the vhost already has Celery's celery_delayed_* queues (another app's, or a run
    of this check that was killed): they are shared, so the check then leaves them alone."""
    api = Management()
    return any(queue["name"].startswith("celery_delayed_") for queue in api.get("queues", api.vhost, columns="name"))


def remove_delayed_topology() -> None:
    """The 28 queues and 29 exchanges the worker declared for native delayed delivery (with the
    reminders still waiting in them), when this check's worker made them."""
    api = Management()
    for queue in api.get("queues", api.vhost, columns="name"):
        if queue["name"].startswith("celery_delayed_"):
            api.delete_queue(queue["name"])
    for exchange in api.get("exchanges", api.vhost, columns="name"):
        if exchange["name"].startswith("celery_delayed_"):
            api.delete_exchange(exchange["name"])


def check(ck):
    # Another app's delayed tasks may wait in the vhost's celery_delayed_* queues: count from
    # what is there, and remove the topology at the end only if this check's worker made it.
    shared = delayed_topology_here()
    before = (delayed_messages() or 0) if shared else 0
    if not shared:
        ck.cleanup(remove_delayed_topology, always=True)
    ck.section(f"A worker with one slot starts; tasks.py sends {LATER} reminders for in 60 s, then one for now")
    worker = ck.start_worker(app="tasks", concurrency=1)
    queue = Management().queue(QUEUE) or {}
    ck.require(queue.get("type") == "quorum", f"'{QUEUE}' is a quorum queue",
               f"'{QUEUE}' is a {queue.get('type') or 'missing'} queue: keep task_default_queue_type=\"quorum\".")
    sender = ck.start_program("sender", [sys.executable, "-c", SENDER], echo=False)
    sender.wait(timeout=20)
    sent = sender.matches(r"NOW (\S+)")
    ck.require(sender.returncode == 0 and sent, "tasks.py sent the reminders",
               f"sending through tasks.py failed: {ck.diagnose(sender)}")
    task_id = sent[0].group(1)
    ck.task_ids.append(task_id)
    meta = ck.wait_for_result(task_id, timeout=10)
    held = Management().queue(QUEUE) or {}
    unacked = held.get("messages_unacknowledged", 0)
    waiting = delayed_messages()
    waiting = None if waiting is None else waiting - before
    if not (meta and meta.get("status") == "SUCCESS"):
        ck.expect(False, "", f"the reminder sent for now did not run within 10 s: the worker holds a reminder for "
                             f"later ('{QUEUE}': {unacked} unacknowledged) and, on a quorum queue, cannot take "
                             "anything else meanwhile. Make the reminders for later wait in the broker.")
        return
    ck.expect(True, "the reminder sent for now ran at once")
    ck.expect(waiting == LATER, f"the {LATER} reminders for later wait in the broker's celery_delayed_* queues",
              f"the celery_delayed_* queues hold {waiting} messages, not {LATER}: the reminders for later "
              "do not wait in the broker.")
    ck.expect(not worker.matches(r"direct exchange"), "the worker logged no 'direct exchange' warning",
              "the worker warns that the queue's exchange is a direct exchange: native delayed delivery needs "
              "a topic exchange.")


EXERCISES = (
    Exercise(
        name="reminders-in-the-broker",
        title="Reminders for later that do not block the worker",
        files=("tasks.py",),
        task="tasks.py's queue is a quorum queue, and a reminder sent with a countdown blocks its one-slot "
             "worker. Make countdown tasks wait in the broker (native delayed delivery), so a task sent for "
             "now runs at once.",
        check=check,
        hints=(
            "Celery 5.5+ keeps countdown/eta tasks in the broker when the queue is a quorum queue: 28 "
            "celery_delayed_* queues with message TTLs pass the task on when it is due. Read the worker's "
            "log from its start: it says why that does not work here.",
            "Native delayed delivery routes the task with a routing key that encodes its delay, through "
            "topic exchanges; the last one hands it to the task queue's own exchange with a '#.' binding, "
            "which a direct exchange cannot match.",
            "One line in app.conf.update(...):\n"
            "    task_default_exchange_type=\"topic\",\n"
            "(then the exchange 'exercise30' is a topic exchange; delete the old direct one if RabbitMQ "
            "refuses the redeclare: the checker does that for you).",
        ),
        starter_says=r"\[no\] the reminder sent for now did not run within 10 s",
        deadline=60,
    ),
)
