"""Lesson 1's story in one terminal: send before anyone listens, then receive.

    make lesson-1            (or: python -m lessons run 1)
"""

import sys

from lessons import broker
from lessons.management import Management
from lessons.story import Story

LESSON = "rabbitmq_basics.lesson01_hello_world"
QUEUE = "hello"


def main(argv=None) -> int:
    with Story(1, argv) as story:
        story.start_fresh(queues=[QUEUE])

        story.section("Send a message while nobody listens")
        story.run("send", f"{LESSON}.send", "Hello World!")
        story.check(broker.queue_depth(QUEUE) == 1,
                    f"the queue '{QUEUE}' holds the message while no consumer runs")
        queue = Management().queue(QUEUE)
        story.say(f"The management API sees queue '{QUEUE}': type={queue['type']}, durable={queue['durable']}, "
                  f"exchange '' (the default), routing key '{QUEUE}'.")
        story.check(queue is not None and queue["durable"] and queue["type"] == "quorum",
                    "the management API lists the queue: durable, type quorum (as RabbitMQ's tutorial declares it)")

        story.section("Start a receiver: it gets the waiting message at once")
        receiver = story.start("receive", f"{LESSON}.receive", "--max-messages", "2",
                               ready=r"\[\*\] Waiting")
        receiver.wait_for(r"\[x\] Received")
        story.check(receiver.count(r"Received 'Hello World!'") == 1,
                    "the receiver got 'Hello World!', sent before it started")

        story.section("Send another one while the receiver runs")
        story.run("send", f"{LESSON}.send", "Hello again!")
        receiver.wait_for(r"Received 'Hello again!'")
        code = receiver.wait(timeout=10)
        story.check(code == 0, "the receiver stopped by itself after --max-messages 2, exit code 0")
        received = [m.group(1) for m in receiver.matches(r"\[x\] Received '(.*)'")]
        story.check(received == ["Hello World!", "Hello again!"], "it received exactly those 2 messages, in order")
        story.check(broker.queue_depth(QUEUE) == 0,
                    "the queue is empty: with auto_ack the broker forgot each message once sent")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
