"""Exercise 10: a queue report from the management HTTP API."""

import re

from lessons.exercises import Exercise
from lessons.waiting import eventually

EXPECTED = {"exercise10.empty": (0, 0, 0), "exercise10.invoices": (3, 2, 1), "exercise10.orders": (4, 0, 0)}


def api_numbers(management) -> dict:
    found = {}
    for name in EXPECTED:
        queue = management.queue(name) or {}
        found[name] = (queue.get("messages_ready"), queue.get("messages_unacknowledged"), queue.get("consumers"))
    return found


def check(ck):
    from lessons import broker
    from lessons.management import Management

    ck.section("The checker fills three queues and holds 2 messages of one unacknowledged")
    with broker.channel() as channel:
        for name in EXPECTED:
            channel.queue_declare(name, durable=True)
        for n in range(4):
            channel.basic_publish("", "exercise10.orders", body=f"order {n}")
        for n in range(5):
            channel.basic_publish("", "exercise10.invoices", body=f"invoice {n}")
    holder = broker.channel()
    channel = holder.__enter__()  # closed at the end of the check: the 2 messages go back
    ck.cleanup(lambda: holder.__exit__(None, None, None), always=True)
    channel.basic_qos(prefetch_count=2)
    channel.basic_consume("exercise10.invoices", on_message_callback=lambda *a: None)  # never acks
    channel.connection.process_data_events(time_limit=0.5)

    ck.say("(Waiting until the management API's statistics show these numbers: up to 5 s behind.)")
    management = Management()

    def shown():
        if api_numbers(management) == EXPECTED:
            return True
        channel.connection.process_data_events(time_limit=0.5)  # the pause: it keeps the channel served
        return False

    eventually(shown, timeout=20, interval=0)
    ck.require(api_numbers(management) == EXPECTED, "the management API shows them",
               f"the management API still shows {api_numbers(management)} after 20 s, not {EXPECTED}.")

    ck.section("queue_report.py reports")
    run = ck.run_file("queue_report.py", timeout=15)
    ck.require(run.returncode == 0, "queue_report.py ran and exited with code 0", ck.diagnose(run))
    pattern = r"^(\S+): (\d+) ready, (\d+) unacked, (\d+) consumers?$"
    lines = [m.groups() for m in run.matches(pattern)]
    report = {name: tuple(map(int, numbers)) for name, *numbers in lines}
    ck.expect([name for name, *_ in lines] == sorted(EXPECTED), "it printed one line per exercise10. queue, sorted by name",
              f"it printed lines for {[name for name, *_ in lines] or 'no queue'}, not for {sorted(EXPECTED)} "
              "(in that order, as 'NAME: R ready, U unacked, C consumers').")
    for name, numbers in EXPECTED.items():
        if name in report:
            ck.expect(report[name] == numbers, f"{name}: {numbers[0]} ready, {numbers[1]} unacked, {numbers[2]} consumers",
                      f"for {name} it printed {report[name][0]} ready, {report[name][1]} unacked, "
                      f"{report[name][2]} consumers; the API says {numbers[0]}, {numbers[1]}, {numbers[2]}.")
    others = [line for line in run.output.splitlines() if re.match(pattern, line) and not line.startswith("exercise10.")]
    ck.expect(not others, "it printed no other queue", f"it printed queues without the prefix: {others}.")


EXERCISES = (
    Exercise(
        name="queue-report",
        title="A queue report from the management HTTP API",
        files=("queue_report.py",),
        task="Complete queue_report.py: GET /api/queues/<vhost> and print 'NAME: R ready, U unacked, "
             "C consumers' for each queue whose name starts with --prefix, sorted by name.",
        check=check,
        hints=(
            "The management plugin answers HTTP with JSON: GET /api/queues/<vhost> lists the queues "
            "of a vhost with their counters. It needs the user and password (basic auth).",
            "session.get(base + \"queues/\" + quote(vhost, safe=\"\"), timeout=5) "
            "(from urllib.parse import quote): the default vhost \"/\" must be written %2F. "
            "response.json() is a list of dicts.",
            "    for queue in sorted(response.json(), key=lambda q: q[\"name\"]):\n"
            "        if queue[\"name\"].startswith(args.prefix):\n"
            "            print(f\"{queue['name']}: {queue.get('messages_ready', 0)} ready, \"\n"
            "                  f\"{queue.get('messages_unacknowledged', 0)} unacked, {queue.get('consumers', 0)} consumers\")",
        ),
        starter_says=r"\[no\] it printed lines for no queue",
        deadline=60,
    ),
)
