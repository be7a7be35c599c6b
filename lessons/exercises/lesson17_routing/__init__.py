"""Exercise 17: task_routes sends one task to its own queue and workers."""

import re

from lessons.exercises import Exercise
from lessons.waiting import eventually


def ran(worker, task) -> int:
    return len([line for line in worker.lines if re.search(rf"{task}\[\S+\] succeeded", line)])


def check(ck):
    ck.section("A media worker (-Q exercise17.media) and a default worker (-Q exercise17.default) start")
    media = ck.start_worker(app="tasks", name="media", queues="exercise17.media", wait=False)
    default = ck.start_worker(app="tasks", name="default", queues="exercise17.default", wait=False)
    for worker in (media, default):
        ck.wait_until_ready(worker)

    ck.section("client.py sends three images and three e-mails")
    run = ck.run_file("client.py", timeout=25, name="client",
                      exits="get its six results and exit (a task routed to a queue nobody reads never ends)")
    ck.require(run.returncode == 0 and run.count(r"\[\.\] ") == 6, "client.py got its six results",
               f"client.py did not get its six results: {ck.diagnose(run)}")
    # The workers' logs are read by threads and may lag behind the results.
    eventually(lambda: media.count(r"succeeded") + default.count(r"succeeded") >= 6, timeout=15, interval=0.05)
    ck.expect(ran(media, "resize_image") == 3, "the media worker resized the three images",
              f"the media worker resized {ran(media, 'resize_image')} images and the default worker "
              f"{ran(default, 'resize_image')}: resize_image is not routed to 'exercise17.media'.")
    ck.expect(ran(default, "send_email") == 3 and ran(media, "send_email") == 0,
              "the default worker sent the three e-mails; the media worker none",
              f"the default worker sent {ran(default, 'send_email')} e-mails, the media worker "
              f"{ran(media, 'send_email')}: only resize_image should go to the media queue.")
    ck.expect(ran(default, "resize_image") == 0, "the default worker resized no image",
              f"the default worker resized {ran(default, 'resize_image')} images.")


EXERCISES = (
    Exercise(
        name="task-routes",
        title="Route media tasks to their own workers",
        files=("tasks.py",),
        task="In tasks.py, route exercise17.resize_image to the queue 'exercise17.media' with the "
             "app's configuration; every other task stays on 'exercise17.default'.",
        check=check,
        hints=(
            "The sender decides the queue of each task when it sends it. An app-wide setting maps "
            "task names to queues, so no sender has to name the queue itself.",
            "The setting is task_routes: a dict from task name (or a glob such as \"exercise17.resize_*\") "
            "to options such as {\"queue\": \"...\"}.",
            "    task_routes={\"exercise17.resize_image\": {\"queue\": \"exercise17.media\"}},",
        ),
        starter_says=r"\[no\] the media worker resized 0 images and the default worker 3",
        deadline=75,
    ),
)
