"""Exercise 6: headers bindings with x-match all and any."""

import time

from lessons.exercises import Exercise

EXCHANGE = "exercise06.documents"
DOCUMENTS = {
    "eu-pdf-report": {"format": "pdf", "region": "eu", "type": "report"},
    "us-pdf": {"format": "pdf", "region": "us"},
    "eu-zip": {"format": "zip", "region": "eu"},
    "eu-pdf-urgent": {"format": "pdf", "region": "eu", "priority": "high"},
    "urgent-only": {"priority": "high"},
    "gold-zip": {"sla": "gold", "format": "zip"},
    "silver": {"sla": "silver", "priority": "low"},
    "no-headers": {},
}
WANTED = {
    "exercise06.eu_pdf": {"eu-pdf-report", "eu-pdf-urgent"},
    "exercise06.urgent": {"eu-pdf-urgent", "urgent-only", "gold-zip"},
}


def check(ck):
    import pika

    from lessons import broker

    ck.section("bind_headers.py declares and binds")
    run = ck.run_file("bind_headers.py", timeout=15)
    ck.require(run.returncode == 0, "bind_headers.py ran and exited with code 0", ck.diagnose(run))
    missing_queues = [q for q in WANTED if ck.queue_depth(q) is None]
    ck.require(not missing_queues, "both queues exist",
               f"these queues do not exist: {missing_queues}. Keep their names as in BINDINGS.")

    ck.section(f"The checker publishes {len(DOCUMENTS)} documents with these headers")
    with broker.channel() as channel:
        for name, headers in DOCUMENTS.items():
            ck.say(f"  {name:<14} {headers}")
            channel.basic_publish(exchange=EXCHANGE, routing_key="", body=name,
                                  properties=pika.BasicProperties(headers=headers))
    time.sleep(0.3)
    for queue, wanted in WANTED.items():
        got = {body.decode() for _, _, body in ck.drain(queue)}
        missing, extra = sorted(wanted - got), sorted(got - wanted)
        problems = ([f"missing {missing}"] if missing else []) + ([f"should not get {extra}"] if extra else [])
        if got == set(DOCUMENTS):
            problems.append("it got every document: a binding without headers to match takes everything")
        ck.expect(not problems, f"'{queue}' got exactly {', '.join(sorted(wanted))}",
                  f"'{queue}': {'; '.join(problems)}.")


EXERCISES = (
    Exercise(
        name="match-headers",
        title="Route documents by their headers",
        files=("bind_headers.py",),
        task="Write the binding arguments in BINDINGS (bind_headers.py): EU PDFs (format=pdf and "
             "region=eu) to one queue, urgent documents (priority=high or sla=gold) to the other.",
        check=check,
        hints=(
            "A headers exchange ignores the routing key: the binding's arguments list header values, "
            "and the special argument x-match says whether all of them must match or any one.",
            "The binding arguments are a dict: the headers to compare, plus \"x-match\": \"all\" or "
            "\"any\". An empty dict matches every message, which is why both queues get everything now.",
            "eu_pdf: {\"x-match\": \"all\", \"format\": \"pdf\", \"region\": \"eu\"}; "
            "urgent: {\"x-match\": \"any\", \"priority\": \"high\", \"sla\": \"gold\"}.",
        ),
        starter_says=r"\[no\] 'exercise06\.eu_pdf': should not get .*a binding without headers",
        deadline=45,
    ),
)
