"""Exercise 12: turn two functions into Celery tasks with explicit names."""

from lessons.exercises import Exercise

QUEUE = "exercise12"
CALLS = [("exercise12.shout", ["task queues"], "TASK QUEUES!"),
         ("exercise12.count_words", ["a task is a message"], 5)]


def unregistered(meta: dict | None) -> bool:
    """The worker stored NotRegistered as the task's failure. (Its log line says so too, but the
    checker reads the log through a thread that may not have reached that line yet.)"""
    failure = meta.get("result") if meta and meta.get("status") == "FAILURE" else None
    return isinstance(failure, dict) and failure.get("exc_type") == "NotRegistered"


def check(ck):
    ck.section("A worker starts with your tasks.py")
    worker = ck.start_worker(app="tasks")
    registered = worker.matches(r"^\s+\. (\S+)$")  # the banner's [tasks] list
    ck.say(f"The worker's banner lists the tasks: {[m.group(1) for m in registered] or 'none'}")

    ck.section("The checker sends both tasks by name, as any client would")
    client = ck.celery_client()
    ids = [(name, ck.send_task(client, name, *args, queue=QUEUE), expected) for name, args, expected in CALLS]
    for name, task_id, expected in ids:
        meta = ck.wait_for_result(task_id, timeout=10, give_up=lambda n=name: worker.count(
            rf"Received unregistered task of type '{n}'"))
        if meta and meta["status"] == "SUCCESS":
            ck.expect(meta["result"] == expected, f"{name} ran on the worker and returned {expected!r}",
                      f"{name} returned {meta['result']!r}, not {expected!r}.")
        elif unregistered(meta) or worker.count(rf"Received unregistered task of type '{name}'"):
            ck.expect(False, "", f"the worker does not know a task named '{name}': it logged 'Received "
                                 "unregistered task'. Make the function a task registered under that name.")
        else:
            state = meta["status"] if meta else "PENDING (no result in Redis)"
            ck.expect(False, "", f"{name} did not succeed within 10 s: its state is {state}.")


EXERCISES = (
    Exercise(
        name="first-tasks",
        title="Your first Celery tasks",
        files=("tasks.py",),
        task="Make shout() and count_words() in tasks.py Celery tasks registered as "
             "'exercise12.shout' and 'exercise12.count_words'.",
        check=check,
        hints=(
            "A worker runs only functions the app knows as tasks, and it finds them by the name in "
            "the message. A decorator of the app turns a function into a task.",
            "@app.task makes a task; by default its name is module.function (here tasks.shout). "
            "The decorator takes name=... to choose it.",
            "    @app.task(name=\"exercise12.shout\")\n    def shout(text): ...\n\n"
            "    @app.task(name=\"exercise12.count_words\")\n    def count_words(text): ...",
        ),
        starter_says=r"\[no\] the worker does not know a task named 'exercise12\.shout'",
        deadline=60,
    ),
)
