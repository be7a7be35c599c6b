"""Exercise 26: a publisher that knows which messages a full queue refused (confirms and nacks).

The checker declares the limited queue itself and fills part of it, so the number of refused
messages cannot be guessed from --count: only the broker's nacks tell it.
"""

import re

from lessons import broker
from lessons.exercises import Exercise

QUEUE = "exercise26.limited"
ARGUMENTS = {"x-max-length": 5, "x-overflow": "reject-publish"}
FILE = "publish_limited.py"


def prepare(waiting: int) -> None:
    """The queue as the exercise declares it, empty, then `waiting` old messages in it."""
    with broker.channel() as channel:
        channel.queue_declare(QUEUE, durable=True, arguments=ARGUMENTS)
        channel.queue_purge(QUEUE)
        for number in range(1, waiting + 1):
            channel.basic_publish("", QUEUE, f"old-{number}")


def one_round(ck, waiting: int, count: int) -> bool:
    """Run the publisher against a queue with `waiting` messages already in it; True if its
    report matches what the queue took."""
    prepare(waiting)
    publisher = ck.run_file(FILE, "--count", str(count))
    ck.require(publisher.returncode == 0, f"{FILE} ran and exited", ck.diagnose(publisher))
    kept = [body.decode() for _, _, body in ck.drain(QUEUE)]
    taken = [body for body in kept if body.startswith("job-")]
    lost = [f"job-{n}" for n in range(1, count + 1) if f"job-{n}" not in taken]
    summary = ck.lines_soon(publisher, r"\[\.\] (\d+) sent, (\d+) refused")  # its output, all read
    said_sent = [m.group(1) for m in publisher.matches(r"\[x\] Sent '([^']+)'")]
    said_refused = [m.group(1) for m in publisher.matches(r"\[!\] Refused '([^']+)'")]
    ck.say(f"    The queue kept {', '.join(kept) or 'nothing'}: it took {len(taken)} of the {count} jobs.")
    ck.require(summary, f"{FILE} printed its count (' [.] N sent, M refused')",
               f"{FILE} did not print its last line ' [.] N sent, M refused'.")
    counted = (int(summary[-1].group(1)), int(summary[-1].group(2)))
    if not said_refused and lost:
        return ck.expect(False, "", f"{FILE} says {counted[1]} of {count} were refused, but the queue took only "
                                    f"{len(taken)} of them ({', '.join(taken) or 'none'}): the broker refused "
                                    f"{', '.join(lost)} and {FILE} never heard of it. Turn on publisher confirms: "
                                    "then the broker answers each message with an ack or, when the queue is "
                                    "full, a nack.")
    ok = ck.expect(said_refused == lost, f"it reported as refused exactly the jobs the queue did not take "
                                         f"({', '.join(lost) or 'none'})",
                   f"it reported as refused {', '.join(said_refused) or 'nothing'}, but the queue did not take "
                   f"{', '.join(lost) or 'any'}.")
    ok &= ck.expect(said_sent == taken, f"and as sent exactly those it took ({', '.join(taken) or 'none'})",
                    f"it reported as sent {', '.join(said_sent) or 'nothing'}, but the queue took "
                    f"{', '.join(taken) or 'none'}: print ' [x] Sent' only for a message the broker confirmed.")
    ok &= ck.expect(counted == (len(taken), len(lost)),
                    f"its last line counts them: {counted[0]} sent, {counted[1]} refused",
                    f"its last line says {counted[0]} sent, {counted[1]} refused; the broker took {len(taken)} "
                    f"and refused {len(lost)}.")
    return ok


def check(ck):
    ck.section(f"'{QUEUE}' holds at most 5 messages and refuses the rest; 2 are already in it. "
               f"{FILE} publishes 6.")
    first = one_round(ck, waiting=2, count=6)
    if not first:
        return
    ck.section(f"Again, with the queue empty: {FILE} publishes 4, and all of them fit.")
    one_round(ck, waiting=0, count=4)
    ck.expect(not re.search(r"Traceback", "".join(p.output for p in ck.processes)),
              f"{FILE} went on after each refused message (no traceback)",
              f"{FILE} printed a traceback: catch pika.exceptions.NackError around basic_publish.")


EXERCISES = (
    Exercise(
        name="refused-messages",
        title="Know which messages a full queue refused",
        files=(FILE,),
        task="The queue exercise26.limited holds 5 messages and refuses the rest (reject-publish). Make "
             "publish_limited.py use publisher confirms, print ' [!] Refused ...' for each message the "
             "broker nacked, and count sent and refused messages right.",
        check=check,
        hints=(
            "A queue with x-overflow reject-publish answers a message it has no room for with a nack, "
            "but only to a channel in confirm mode. Without confirms, basic_publish returns at once and "
            "the message is dropped without a word.",
            "channel.confirm_delivery() after the queue_declare. From then on BlockingChannel's "
            "basic_publish waits for the broker's answer and raises pika.exceptions.NackError when it "
            "is a nack; the channel stays open.",
            "Around the publish:\n"
            "    try:\n"
            "        channel.basic_publish(\"\", QUEUE, body)\n"
            "    except pika.exceptions.NackError:\n"
            "        refused += 1\n"
            "        print(f\" [!] Refused {body!r}\")\n"
            "        continue",
        ),
        starter_says=r"\[no\] publish_limited\.py says 0 of 6 were refused, but the queue took only 3",
        deadline=40,
    ),
)
