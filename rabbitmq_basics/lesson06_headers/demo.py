"""Lesson 6's story in one terminal: route on header values with x-match all and any.

    make lesson-6            (or: python -m lessons run 6)
"""

import sys

from lessons.management import Management
from lessons.story import Story, wait_until

LESSON = "rabbitmq_basics.lesson06_headers"
EXCHANGE = "headers_logs"

# Receiver name -> (x-match, the headers its binding looks for).
RECEIVERS = {
    "all": ("all", {"source": "kern", "severity": "critical"}),
    "any": ("any", {"source": "kern", "severity": "critical"}),
    "critical": ("all", {"severity": "critical"}),
}
# The messages we send: a name, their headers, and a routing key the exchange will ignore.
MESSAGES = [
    ("m1", {"source": "kern", "severity": "critical"}, ""),
    ("m2", {"source": "kern", "severity": "info"}, ""),
    ("m3", {"source": "auth", "severity": "critical"}, ""),
    ("m4", {"source": "auth", "severity": "info"}, ""),
    ("m5", {"source": "kern", "severity": "critical", "host": "db1"}, ""),
    ("m6", {}, "kern.critical"),
    ("m7", {"source": "kern", "severity": "CRITICAL"}, ""),
]


def matches(x_match: str, wanted: dict, headers: dict) -> bool:
    """Our own reading of the rules: all = every wanted header equal, any = at least one."""
    hits = [headers.get(key) == value for key, value in wanted.items()]
    return all(hits) if x_match == "all" else any(hits)


def show(headers: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in headers.items()) or "(no headers)"


def main(argv=None) -> int:
    with Story(6, argv) as story:
        management = Management()
        story.start_fresh(exchanges=[EXCHANGE])

        expected = {name: [m for m, headers, _ in MESSAGES if matches(x_match, wanted, headers)]
                    for name, (x_match, wanted) in RECEIVERS.items()}

        story.section("Three receivers bind with header values instead of a key")
        receivers = {
            name: story.start(name, f"{LESSON}.receive_headers", "--match", x_match,
                              *(f"{k}={v}" for k, v in wanted.items()),
                              "--max-messages", str(len(expected[name])))
            for name, (x_match, wanted) in RECEIVERS.items()
        }
        queues = {name: r.wait_for(r"\[\*\] Queue (amq\.gen-\S+) bound").group(1)
                  for name, r in receivers.items()}
        for r in receivers.values():
            r.wait_for(r"\[\*\] Waiting")
        arguments = {b["destination"]: b["arguments"] for b in management.bindings(EXCHANGE)}
        story.table(f"Bindings of exchange '{EXCHANGE}' (management API)", ["receiver", "arguments"],
                    [(name, show(arguments.get(queues[name], {}))) for name in RECEIVERS])
        story.check(all(arguments.get(queues[name]) == {"x-match": x_match, **wanted}
                        for name, (x_match, wanted) in RECEIVERS.items()),
                    "each binding carries x-match and the header values, as the management API shows")

        story.section("Emit seven messages with different headers")
        for name, headers, key in MESSAGES:
            story.run("emit", f"{LESSON}.emit_headers", *(f"{k}={v}" for k, v in headers.items()),
                      "--message", name, "--routing-key", key)
        codes = {name: r.wait(timeout=10) for name, r in receivers.items()}
        got = {name: [m.group(1) for m in r.matches(r"\[x\] \S+:(m\d)$")] for name, r in receivers.items()}

        story.table("Which message reached which binding (x = delivered)",
                    ["message", "headers", *RECEIVERS],
                    [(m, show(h), *("x" if m in got[n] else "" for n in RECEIVERS))
                     for m, h, _ in MESSAGES])
        story.check(got == expected, "the broker's match table equals the rules of x-match all and any")
        story.check("m2" in got["any"] and "m2" not in got["all"],
                    "source=kern severity=info: 'any' takes it (one header matches), 'all' does not")
        story.check("m5" in got["all"],
                    "extra headers (host=db1) do not stop a match: only the binding's headers count")
        story.check(not any("m6" in g for g in got.values()),
                    "m6 had routing key 'kern.critical' but no headers: nobody got it, the key is ignored")
        story.check("m7" in got["any"] and "m7" not in got["critical"],
                    "values match exactly: severity=CRITICAL is not severity=critical")
        story.check(set(codes.values()) == {0}, "all three receivers stopped by themselves, exit code 0")

        wait_until(lambda: management.bindings(EXCHANGE) == [], timeout=5,
                   what="the receivers' bindings to go")
        story.check(all(management.queue(q) is None for q in queues.values()),
                    "their exclusive queues and bindings are gone")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
