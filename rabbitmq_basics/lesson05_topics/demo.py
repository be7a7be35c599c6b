"""Lesson 5's story in one terminal: eight routing keys against six receivers' patterns.

    make lesson-5            (or: python -m lessons run 5)
"""

import sys

from lessons.management import Management
from lessons.story import Story, wait_until

LESSON = "rabbitmq_basics.lesson05_topics"
EXCHANGE = "topic_logs"

# Receiver name -> its patterns. The last one binds two patterns to one queue.
RECEIVERS = {
    "kern.*": ["kern.*"],
    "*.critical": ["*.critical"],
    "kern.#": ["kern.#"],
    "#": ["#"],
    "auth.info": ["auth.info"],
    "both": ["kern.*", "*.critical"],
}
KEYS = ["kern.critical", "kern.info", "auth.critical", "auth.info",
        "kern", "kern.disk.full", "a.b.c", "anonymous"]


def matches(pattern: str, key: str) -> bool:
    """Our own reading of the rules: '*' is exactly one word, '#' zero or more."""
    def match(p: list[str], k: list[str]) -> bool:
        if not p:
            return not k
        if p[0] == "#":
            return any(match(p[1:], k[i:]) for i in range(len(k) + 1))
        if not k:
            return False
        return (p[0] == "*" or p[0] == k[0]) and match(p[1:], k[1:])
    return match(pattern.split("."), key.split("."))


def main(argv=None) -> int:
    with Story(5, argv) as story:
        management = Management()
        story.start_fresh(exchanges=[EXCHANGE])

        expected = {name: [key for key in KEYS if any(matches(p, key) for p in patterns)]
                    for name, patterns in RECEIVERS.items()}

        story.section("Six receivers, each with its own queue and patterns")
        receivers = {name: story.start(name, f"{LESSON}.receive_logs_topic", *patterns,
                                       "--max-messages", str(len(expected[name])))
                     for name, patterns in RECEIVERS.items()}
        queues = {name: r.wait_for(r"\[\*\] Queue (amq\.gen-\S+) bound").group(1)
                  for name, r in receivers.items()}
        for r in receivers.values():
            r.wait_for(r"\[\*\] Waiting")
        bound = {(b["destination"], b["routing_key"]) for b in management.bindings(EXCHANGE)}
        story.check(bound == {(queues[name], p) for name, ps in RECEIVERS.items() for p in ps},
                    "the management API shows the 7 bindings the receivers asked for")

        story.section("Emit one line per routing key")
        for key in KEYS:
            story.run("emit", f"{LESSON}.emit_log_topic", key, f"a line for {key}")
        codes = {name: r.wait(timeout=10) for name, r in receivers.items()}
        got = {name: [m.group(1) for m in r.matches(r"\[x\] (\S+):a line for")]
               for name, r in receivers.items()}

        story.say("(The column 'both' is one queue bound with two patterns: kern.* and *.critical.)")
        story.table("Which routing key reached which pattern (x = delivered)",
                    ["routing key", *RECEIVERS],
                    [(key, *("x" if key in got[name] else "" for name in RECEIVERS)) for key in KEYS])
        story.check(got == expected, "the broker's match table equals the rules: '*' one word, '#' zero or more")
        story.check("kern.disk.full" not in got["kern.*"] and "kern.disk.full" in got["kern.#"],
                    "'kern.*' misses kern.disk.full (two words after kern); 'kern.#' takes it")
        story.check("kern" in got["kern.#"] and "kern" not in got["kern.*"],
                    "'kern.#' also takes plain 'kern': '#' may match zero words")
        story.check(got["#"] == KEYS, "'#' alone took all 8 keys, like a fanout exchange")
        story.check(got["auth.info"] == ["auth.info"],
                    "a pattern without wildcards ('auth.info') takes only that key, like a direct exchange")
        story.check(got["both"].count("kern.critical") == 1,
                    "kern.critical matches both of 'both's patterns, yet its queue got one copy")
        story.check(set(codes.values()) == {0}, "all six receivers stopped by themselves, exit code 0")

        wait_until(lambda: management.bindings(EXCHANGE) == [], timeout=5,
                   what="the receivers' bindings to go")
        story.check(all(management.queue(q) is None for q in queues.values()),
                    "their exclusive queues are gone")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
