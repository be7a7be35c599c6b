"""Exercise 5: binding keys with * and # that route a given set of routing keys."""

import time

from lessons.exercises import Exercise

EXCHANGE = "exercise05.events"
KEYS = ["kern.critical", "kern.disk.error", "kern.info", "kernel.info", "app.web.error", "app.db.critical",
        "app.error", "app.web.info", "auth.critical", "auth.info", "app.web.cache.error", "cron.disk.critical"]
WANTED = {
    "exercise05.critical": {"kern.critical", "app.db.critical", "auth.critical", "cron.disk.critical"},
    "exercise05.kernel": {"kern.critical", "kern.disk.error", "kern.info"},
    "exercise05.app_alerts": {"app.web.error", "app.db.critical"},
}


def check(ck):
    from lessons import broker

    ck.section("bindings.py declares and binds")
    run = ck.run_file("bindings.py", timeout=15)
    ck.require(run.returncode == 0, "bindings.py ran and exited with code 0", ck.diagnose(run))
    missing_queues = [q for q in WANTED if ck.queue_depth(q) is None]
    ck.require(not missing_queues, "the three queues exist",
               f"these queues do not exist: {missing_queues}. Keep their names as in BINDINGS.")

    ck.section(f"The checker publishes {len(KEYS)} events, each with its routing key as its body")
    with broker.channel() as channel:
        for key in KEYS:
            channel.basic_publish(exchange=EXCHANGE, routing_key=key, body=key)
    time.sleep(0.3)
    for queue, wanted in WANTED.items():
        got = [body.decode() for _, _, body in ck.drain(queue)]
        missing = sorted(wanted - set(got))
        extra = sorted(set(got) - wanted)
        if not got:
            ck.expect(False, "", f"'{queue}' got no message: give it binding keys that match {sorted(wanted)}.")
            continue
        problems = []
        if missing:
            problems.append(f"missing {missing}")
        if extra:
            problems.append(f"should not get {extra}")
        if len(got) != len(set(got)):
            problems.append("got some twice (a queue gets one copy however many of its bindings match, "
                            "so is bindings.py run twice with other keys? The checker starts fresh)")
        ck.expect(not problems, f"'{queue}' got exactly {', '.join(sorted(wanted))}",
                  f"'{queue}': {'; '.join(problems)}.")


EXERCISES = (
    Exercise(
        name="binding-keys",
        title="Binding keys for a topic exchange",
        files=("bindings.py",),
        task="Write the binding keys in BINDINGS (bindings.py) so that each of the three queues gets "
             "exactly the events its comment describes.",
        check=check,
        hints=(
            "Binding keys are words separated by dots. * stands for exactly one word, # for zero or "
            "more words. A queue may have several binding keys: a message arrives if any matches.",
            "'Everything from the kernel' is kern followed by anything: kern.#. Critical events with "
            "two or three words end in critical after any number of words.",
            "critical: [\"#.critical\"] (or \"*.critical\" and \"*.*.critical\"); kernel: [\"kern.#\"]; "
            "app_alerts: [\"app.*.error\", \"app.*.critical\"] (the * asks for exactly one component).",
        ),
        starter_says=r"\[no\] 'exercise05\.critical' got no message",
        deadline=45,
    ),
)
