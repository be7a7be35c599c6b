"""Exercise 1: a producer and a consumer through the default exchange."""

import uuid

from lessons.exercises import Exercise

QUEUE = "exercise01.greetings"


def check(ck):
    texts = [f"hello-{uuid.uuid4().hex[:6]}", "second message", "third"]

    ck.section("send.py sends three messages")
    sender = ck.run_file("send.py", *texts, timeout=15)
    ck.require(sender.returncode == 0, "send.py ran and exited with code 0", ck.diagnose(sender))
    depth = ck.queue_depth(QUEUE)
    ck.require(depth is not None, f"the queue '{QUEUE}' exists",
               f"there is no queue '{QUEUE}' on the broker: send.py must declare it (queue_declare).")
    ck.expect(depth == len(texts), f"the queue holds the {len(texts)} messages",
              f"the queue '{QUEUE}' holds {depth} messages, not {len(texts)}: send.py does not publish "
              "one message per argument yet (basic_publish).")
    if depth:
        from lessons.management import Management

        waiting = Management().peek(QUEUE, count=len(texts))
        ck.expect(all(m["exchange"] == "" and m["routing_key"] == QUEUE for m in waiting),
                  "they went through the default exchange, with the queue's name as routing key",
                  "some messages did not come through the default exchange with routing key "
                  f"'{QUEUE}': {[(m['exchange'], m['routing_key']) for m in waiting]}")
        ck.expect([m["payload"] for m in waiting] == texts[: len(waiting)],
                  "their bodies are the texts, in the order given",
                  f"their bodies are {[m['payload'] for m in waiting]}, not {texts}")

    ck.section("receive.py --count 3 prints them and stops")
    receiver = ck.run_file("receive.py", "--count", str(len(texts)), timeout=15,
                           exits=f"print {len(texts)} messages and then stop (--count)")
    printed = [m.group(1) for m in receiver.matches(r"\[x\] Received '(.*)'")]
    ck.expect(receiver.returncode == 0, "receive.py exited with code 0", ck.diagnose(receiver))
    ck.expect(printed == texts, "receive.py printed the three messages, in order, as [x] Received '...'",
              f"receive.py printed {printed or 'no message'} instead of {texts} (lines like "
              "\" [x] Received 'text'\"): it must consume from the queue (basic_consume).")
    left = ck.queue_depth(QUEUE)
    if depth or left:
        ck.expect(left == 0, "the queue is empty afterwards: each message was delivered (and auto-acked) once",
                  f"{left} messages are still in the queue after receive.py ran.")


EXERCISES = (
    Exercise(
        name="send-and-receive",
        title="Send and receive through the default exchange",
        files=("send.py", "receive.py"),
        task="Complete send.py (one message per argument) and receive.py (print each message; "
             "--count N stops after N) for the queue 'exercise01.greetings'.",
        check=check,
        hints=(
            "A message always goes through an exchange. The default exchange, whose name is the "
            "empty string, delivers it to the queue whose name equals the routing key.",
            "send.py: channel.basic_publish(exchange=\"\", routing_key=QUEUE, body=text).\n"
            "receive.py: define callback(ch, method, properties, body) that prints body.decode(), "
            "and register it before start_consuming():\n"
            "    channel.basic_consume(queue=QUEUE, on_message_callback=callback, auto_ack=True)",
            "To stop after --count messages, count them in the callback and call "
            "ch.stop_consuming() when the count reaches args.count; start_consuming() then returns "
            "and the program closes the connection. Print exactly \" [x] Received 'text'\": "
            "print(f\" [x] Received {body.decode()!r}\").",
        ),
        starter_says=r"\[no\] the queue 'exercise01\.greetings' holds 0 messages",
        deadline=60,
    ),
)
