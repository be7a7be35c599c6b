"""Lesson 17's story in one terminal: routes, named workers, priorities, the control API, prefetch.

    make lesson-17            (or: python -m lessons run 17)
"""

import sys
import time

from celery_basics.lesson17_routing.tasks import PACKAGE_QUEUES, app
from lessons import broker
from lessons.management import Management
from lessons.story import ReadinessTimeout, Story, eventually, wait_until

LESSON = "celery_basics.lesson17_routing"
APP = "tasks"
RAN = r"\[\.\] (\w+) (\S+)(?: \(priority (\d+)\))? ran on (\S+), started at \+([\d.]+) s"
BATCH = r"\[\.\] ((long|short)-\d+) ran on (\S+), started"


def start_pair(story, *workers, echo=True):
    """Start workers side by side, then wait until each one is ready.

    --without-mingle: a starting worker asks the others for their revoked tasks, which costs a
    second here; the demo's workers have nothing to share.
    """
    started = [story.start_worker(name, APP, *args, "--without-mingle", ready=None, echo=echo)
               for name, *args in workers]
    for worker in started:
        worker.wait_for(r"\bready\.", timeout=30)
    return started


def batch(story, title, *args):
    process = story.run("batch", f"{LESSON}.batch", *args, timeout=60)
    ran = [(m[1], m[2], m[3].split("@")[0]) for m in process.matches(BATCH)]
    seconds = float(process.matches(r"finished in ([\d.]+) s")[0][1])
    long_by = {}
    for _, kind, worker in ran:
        if kind == "long":
            long_by[worker] = long_by.get(worker, 0) + 1
    return title, seconds, ran, long_by


def settled_depths(queues, hold=1.0, timeout=20.0):
    """Ready messages per queue (passive declares: exact, no stats lag), once they held still for `hold` s."""
    last, since = None, time.monotonic()

    def still():
        nonlocal last, since
        depths = {queue: broker.queue_depth(queue) for queue in queues}
        if depths != last:
            last, since = depths, time.monotonic()
            return None
        return depths if time.monotonic() - since >= hold else None

    try:
        return wait_until(still, timeout=timeout, interval=0.1, what="the queues' depths to hold still")
    except ReadinessTimeout:
        return last  # still moving: the latest reading


def two_queues(story, management):
    """One worker on two queues: RabbitMQ 3.x shares its prefetch between them, 4.x gives each its own."""
    queues, per_queue = ("lesson17_batch", "lesson17_archive"), 8
    before = {queue: broker.queue_depth(queue) for queue in queues}
    for queue in queues:  # tasks that hold their message (acks_late) far longer than the scene lasts
        for i in range(per_queue):
            # By the name the worker knows it under: it runs `celery -A tasks` in the lesson's folder.
            app.send_task("tasks.crunch_late", (f"hold-{i + 1}", 60), queue=queue)
    sent = {queue: before[queue] + per_queue for queue in queues}
    version = management.overview()["rabbitmq_version"]
    story.say(f"{per_queue} crunch_late tasks of 60 s in each of {', '.join(queues)}; one worker "
              f"-Q {','.join(queues)} -c 1, prefetch multiplier 4 (prefetch_count 4). RabbitMQ {version}.")
    # Without gossip and heartbeats, so the other workers do not log "missed heartbeat" once it is killed.
    worker = start_pair(story, ("both", "-Q", ",".join(queues), "-c", "1", "--without-gossip",
                                "--without-heartbeat"), echo=False)[0]
    depths = settled_depths(queues)
    held = {queue: sent[queue] - depths[queue] for queue in queues}
    worker.kill()  # a crash on purpose: the broker takes back every unacknowledged message
    story.table("What one worker on two queues holds unacknowledged (sent minus ready, passive declares)",
                ["queue", "sent", "ready", "held by the worker"],
                [(queue, sent[queue], depths[queue], held[queue]) for queue in queues])
    if int(version.split(".")[0]) >= 4:
        story.check(all(n == 4 for n in held.values()),
                    f"RabbitMQ {version}: kombu sets per-consumer prefetch, so each queue's consumer "
                    f"holds 4: {sum(held.values())} in all")
    else:
        story.check(sum(held.values()) == 4,
                    f"RabbitMQ {version}: kombu sets a global (per-channel) prefetch, so both queues "
                    f"share 4: {held}")
    eventually(lambda: sum(broker.queue_depth(queue) for queue in queues) == sum(sent.values()), timeout=15)


def main(argv=None) -> int:
    with Story(17, argv) as story:
        story.start_fresh(queues=PACKAGE_QUEUES, exchanges=["lesson17"])

        story.section("Send first: task_routes puts each task in its queue")
        client = story.start("client", f"{LESSON}.client", "--images", "5", "--emails", "4",
                             "--archive", "1", ready=r"Sent \d+ tasks")
        depths = {queue: broker.queue_depth(queue) for queue in
                  ("lesson17_media", "lesson17_default", "lesson17_archive")}
        story.table("Queue depths before any worker runs", ["queue", "messages"], depths.items())
        story.check(depths == {"lesson17_media": 5, "lesson17_default": 4, "lesson17_archive": 1},
                    "5 resize_image in lesson17_media, 4 send_email in lesson17_default, "
                    "1 archive in lesson17_archive")

        story.section("Two named workers, each on its own queue (-n, -Q)")
        story.say("media: -Q lesson17_media -c 1 --prefetch-multiplier 1 (heavy work, one at a time)\n"
                  "default: -Q lesson17_default -c 2")
        start_pair(story,
                   ("media", "-Q", "lesson17_media", "-c", "1", "--prefetch-multiplier", "1"),
                   ("default", "-Q", "lesson17_default", "-c", "2"))
        client.wait(timeout=40)
        ran = [(m[1], m[2], m[3], m[4].split("@")[0]) for m in client.matches(RAN)]
        story.check(len(ran) == 9, "the client got 9 results")
        story.check({worker for task, *_, worker in ran if task == "resize_image"} == {"media"},
                    "every resize_image ran on media@")
        story.check({worker for task, *_, worker in ran if task == "send_email"} == {"default"},
                    "every send_email ran on default@")
        order = [int(priority) for task, _, priority, _ in ran if task == "resize_image"]
        story.check(order == sorted(order, reverse=True),
                    f"media@ took the images by priority, highest first: {order}")

        story.section("Ask the workers: the control API (ping, active_queues, stats)")
        inspect = story.run("inspect", f"{LESSON}.inspect_workers", "--timeout", "0.5")
        replies = {m[1].split("@")[0]: m for m in inspect.matches(
            r"\[\.\] (\S+): pong; queues: ([\w, ]*); concurrency (\d+); prefetch_count (\d+)")}
        story.check({"media", "default"} <= set(replies), "both workers answered the ping")
        story.check(replies.get("media") is not None and replies["media"][2] == "lesson17_media"
                    and replies["media"][4] == "1",
                    "media@ consumes lesson17_media only, prefetch_count 1 (concurrency 1 x 1)")
        story.check(replies.get("default") is not None and replies["default"][2] == "lesson17_default"
                    and replies["default"][4] == "8",
                    "default@ consumes lesson17_default, prefetch_count 8 (concurrency 2 x 4)")
        story.say("The same from the command line: celery -A " + APP + " inspect active_queues")
        cli = story.start_command("celery", [sys.executable, "-m", "celery", "-A", APP, "inspect",
                                             "active_queues"])
        cli.wait(timeout=30)
        story.check(cli.count(r"->\s+media@\S+: OK") == 1 and cli.count(r"'name': 'lesson17_media'") == 1,
                    "celery inspect active_queues lists media@ on lesson17_media")

        story.section("Prefetch: a mix of long (1 s) and short (0.1 s) tasks on two workers")
        story.say("(The batch workers' logs stay quiet; the batch role prints who ran what.)")
        story.say("Two workers with --concurrency 1 and the default prefetch multiplier (4).")
        early = start_pair(story, ("early-1", "-Q", "lesson17_batch", "-c", "1"),
                           ("early-2", "-Q", "lesson17_batch", "-c", "1"), echo=False)
        default_run = batch(story, "default (prefetch 4, early ack)")
        for worker in early:  # warm shutdown of both at once, then wait for them
            worker.interrupt()
        for worker in early:
            worker.stop()
        story.say("Two workers with --prefetch-multiplier 1, and the task with acks_late=True.")
        fair = start_pair(story, ("fair-1", "-Q", "lesson17_batch", "-c", "1", "--prefetch-multiplier", "1"),
                          ("fair-2", "-Q", "lesson17_batch", "-c", "1", "--prefetch-multiplier", "1"),
                          echo=False)
        fair_run = batch(story, "prefetch 1 + acks_late", "--acks-late")
        for worker in fair:
            worker.interrupt()
        for worker in fair:
            worker.stop()
        story.table("The same 8 tasks (4 x 1 s + 4 x 0.1 s), two workers of concurrency 1",
                    ["settings", "finished in", "long tasks per worker"],
                    [(title, f"{seconds:.2f} s", ", ".join(f"{w}: {n}" for w, n in sorted(by.items())))
                     for title, seconds, _, by in (default_run, fair_run)])
        story.check(sorted(default_run[3].values()) == [4],
                    "default prefetch: one worker had reserved all 4 long tasks, the other only short ones")
        story.check(sorted(fair_run[3].values()) == [2, 2],
                    "prefetch 1 + acks_late: each worker ran 2 long tasks")
        story.say(f"Finish time: {default_run[1]:.2f} s with the defaults, {fair_run[1]:.2f} s with "
                  "prefetch 1 + acks_late (timings vary with the machine's load).")

        story.section("A route to a queue that no worker consumes")
        management = Management()
        queue = wait_until(lambda: (q := management.queue("lesson17_archive")) and
                           q.get("messages") == 1 and "consumers" in q and q, timeout=15,
                           what="the management API to count the archive message")
        story.say(f"Management API, /api/queues/{management.vhost}/lesson17_archive: "
                  f"messages={queue['messages']}, consumers={queue['consumers']}")
        story.check(queue["messages"] == 1 and queue["consumers"] == 0,
                    "the archive task waits in lesson17_archive: 1 message, 0 consumers")

        story.section("One worker, two queues: how much does it prefetch?")
        two_queues(story, management)
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
