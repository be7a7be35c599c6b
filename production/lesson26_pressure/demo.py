"""Lesson 26's story in one terminal: a broker under pressure, on a RabbitMQ node of its own.

    make lesson-26                  (or: python -m lessons run 26)
    make lesson-26 ARGS=--serve     only start the lesson's node, for the several-terminals way

The shared broker is never touched: the lesson starts node l26@localhost (AMQP 5684, management
15684), raises its alarms and shortens its consumer timeout with rabbitmqctl, and stops it at the
end, also on Ctrl+C. Work and timeouts are scaled down to seconds.
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from pathlib import Path

import pika
import pika.exceptions

from lessons import broker
from lessons.management import Management
from lessons.nodes import Node, install_for_shared_broker
from lessons.story import Story, eventually

LESSON = "production.lesson26_pressure"
NODE_NAME, AMQP_PORT = "l26", 5684
CONSUMER_TIMEOUT_MS, DEFAULT_CONSUMER_TIMEOUT_MS = 5000, 1800000
# The node's rabbitmq.conf: the lesson's file with production-like limits, and one line for the
# demo's checks (the management API refreshes its numbers, alarms too, every second, not every 5 s).
CONFIG_FILE = Path(__file__).with_name("rabbitmq.conf")
FOLDER = CONFIG_FILE.parent.relative_to(CONFIG_FILE.parents[2])
NODE_CONFIG = CONFIG_FILE.read_text(encoding="utf-8") + "\ncollect_statistics_interval = 1000\n"
JOBS, STALLED = "pressure.jobs", "pressure.stalled"
SLOW_MODES = ("block", "thread", "chunks")
HEARTBEAT, WORK = 1, 5  # seconds: the work outlasts the broker's patience (2 to 3 heartbeats)


def start_node(story: Story) -> Node:
    node = Node(NODE_NAME, AMQP_PORT, install_for_shared_broker(), config=NODE_CONFIG)
    story.cleanup(node.stop, always=True)  # also on Ctrl+C or a failed check
    if node.stop_stale():
        story.say(f"(Starting fresh: stopped {node.node}, left running by an earlier run.)")
    story.say(f"Starting RabbitMQ node {node.node} ({node.install.version()}, {node.install.label}) "
              f"on port {node.amqp_port}, management on {node.management_port}, with "
              f"{CONFIG_FILE.relative_to(CONFIG_FILE.parents[2])} ...")
    seconds = node.start()
    story.say(f"{node.node} accepts connections ({seconds:.1f} s).")
    return node


def ctl_command(node: Node) -> str:
    """The rabbitmqctl command line for the lesson's node, as a learner would type it."""
    chroot = f"chroot {node.install.chroot} " if node.install.chroot else ""
    return f"{chroot}rabbitmqctl -n {node.node}"


def depth(node: Node, queue: str) -> int | None:
    """Messages ready in a queue of the lesson's node, asked with a passive declare (no lag)."""
    try:
        with broker.channel(node.amqp_url) as channel:
            return channel.queue_declare(queue, passive=True).method.message_count
    except pika.exceptions.ChannelClosedByBroker:
        return None


def publish(node: Node, queue: str, *bodies: str, arguments: dict | None = None) -> None:
    with broker.channel(node.amqp_url) as channel:
        channel.queue_declare(queue, durable=True, arguments=arguments)
        for body in bodies:
            channel.basic_publish("", queue, body)


def eval_on(node: Node, expression: str) -> str:
    return node.ctl("eval", expression).stdout.strip()


def current_limits(node: Node) -> dict:
    """The node's memory watermark and disk free limit, to put them back after the alarms.

    On 3.x it also makes the channel timer tick every second: 3.x checks consumer timeouts on
    that timer, once a minute by default (an internal setting; 4.3 times each delivery itself).
    """
    tick = "application:set_env(rabbit, channel_tick_interval, 1000), " if node.install.version().startswith("3.") else ""
    answer = eval_on(node, f"{tick}{{vm_memory_monitor:get_vm_memory_high_watermark(), "
                           "rabbit_disk_monitor:get_disk_free_limit()}.")
    watermark, limit = re.findall(r"[\d.]+", answer)[:2]  # e.g. {0.4,50000000}
    return {"watermark": watermark, "disk_free_limit": limit}


def memory_alarm(story: Story, node: Node, env: dict, limits: dict) -> None:
    story.section("A memory alarm blocks the publishers; the consumers go on draining")
    api = Management(url=node.management_url, vhost="/")
    publish(node, JOBS, *(f"backlog-{n}" for n in range(1, 6)))
    watermark = str(limits["watermark"])
    story.say(f"The node's memory watermark is {watermark} of the RAM (rabbitmq.conf; the default is 0.4 "
              "on 3.x, 0.6 on 4.x). Lowering it below what the node already uses:")
    story.say(f"  {ctl_command(node)} set_vm_memory_high_watermark 0.0001")
    node.ctl("set_vm_memory_high_watermark", "0.0001")
    story.check(eventually(lambda: api.get("nodes", node.node).get("mem_alarm"), timeout=15),
                "the management API shows the alarm: mem_alarm is true")

    patient = story.start("patient", f"{LESSON}.publisher", "--name", "patient", "--count", "2",
                          "--blocked-timeout", "30", env=env, ready=r"Blocked by the broker")
    impatient = story.start("impatient", f"{LESSON}.publisher", "--name", "impatient", "--count", "1",
                            "--queue", "pressure.impatient", "--blocked-timeout", "2", env=env,
                            ready=r"Blocked by the broker")
    story.check("low on memory" in patient.matches(r"Blocked by the broker: (.*)")[0].group(1),
                "pika called the publishers' blocked callback: 'low on memory'")
    consumer = story.start("consumer", f"{LESSON}.consumer", "--max-messages", "7", env=env)
    consumer.wait_for(r"Received 'backlog-5'", timeout=15)
    story.check(not consumer.matches(r"Received 'patient") and not patient.matches(r"Sent 'patient-2'"),
                "the consumer drained the 5 waiting messages while the publishers stayed blocked")
    impatient.wait(timeout=20)
    blocked_for = impatient.when(r"Gave up") - impatient.when(r"Blocked by the broker")
    story.check(impatient.returncode == 1 and impatient.matches(r"Gave up"),
                f"the impatient publisher gave up after {blocked_for:.1f} s (blocked_connection_timeout 2 s)")

    story.say(f"Raising the watermark back to {watermark} ...")
    node.ctl("set_vm_memory_high_watermark", watermark)
    patient.wait(timeout=15)
    consumer.wait(timeout=15)
    story.check(patient.returncode == 0 and patient.when(r"Unblocked") < patient.when(r"Sent 'patient-2'"),
                "the alarm cleared: the patient publisher was unblocked, then sent the rest")
    story.check(not consumer.matches(r"Blocked by the broker") and consumer.count(r"Received") == 7,
                "the consumer was never blocked (it only consumes) and got all 7 messages")
    arrived = eventually(lambda: depth(node, "pressure.impatient") == 1, timeout=3)
    story.say(f"The impatient publisher's message {'did arrive after all' if arrived else 'never arrived'}: "
              "giving up does not take back what is already on the wire; only a confirm says what arrived.")


def disk_alarm(story: Story, node: Node, env: dict, limits: dict) -> None:
    story.section("A disk alarm does the same")
    api = Management(url=node.management_url, vhost="/")
    default_limit = str(limits["disk_free_limit"])
    above_free = shutil.disk_usage(node.folder).free + 10**10
    story.say(f"disk_free_limit is {int(default_limit) / 1e6:.0f} MB (rabbitmq.conf). Setting it 10 GB above the free space:")
    story.say(f"  {ctl_command(node)} set_disk_free_limit {above_free}")
    node.ctl("set_disk_free_limit", str(above_free))
    story.check(eventually(lambda: api.get("nodes", node.node).get("disk_free_alarm"), timeout=15),
                "the management API shows the alarm: disk_free_alarm is true")
    publisher = story.start("publisher", f"{LESSON}.publisher", "--name", "disk", "--count", "1",
                            env=env, ready=r"Blocked by the broker")
    story.check("low on disk" in publisher.matches(r"Blocked by the broker: (.*)")[0].group(1),
                "the publisher is blocked: 'low on disk'")
    node.ctl("set_disk_free_limit", default_limit)
    publisher.wait(timeout=15)
    story.check(publisher.returncode == 0 and publisher.matches(r"Unblocked"),
                f"limit back to {int(default_limit) / 1e6:.0f} MB: the publisher was unblocked")


def length_limits(story: Story, env: dict) -> None:
    story.section("A queue with a length limit: drop-head and reject-publish")
    head = story.run("drop-head", f"{LESSON}.max_length", "--overflow", "drop-head", env=env)
    story.check(head.count(r": confirmed") == 5
                and head.matches(r"In the queue: msg-3, msg-4, msg-5$")
                and head.matches(r"Dead-lettered: msg-1 \(maxlen\), msg-2 \(maxlen\)$"),
                "drop-head: all 5 confirmed, the queue kept the newest 3, the oldest 2 were dead-lettered (reason maxlen)")
    reject = story.run("reject", f"{LESSON}.max_length", "--overflow", "reject-publish", env=env)
    story.check(reject.count(r": confirmed") == 3 and reject.count(r"NACKED") == 2
                and reject.matches(r"In the queue: msg-1, msg-2, msg-3$")
                and reject.matches(r"Dead-lettered: nothing$"),
                "reject-publish: msg-4 and msg-5 were nacked (the publisher knows), the queue kept the first 3")


def stalled_consumers(story: Story, node: Node, env: dict) -> None:
    story.section("Consumers that stall: heartbeats, and the consumer timeout")
    version = node.install.version()
    for mode in SLOW_MODES:
        publish(node, f"pressure.slow.{mode}", f"slow-job-{mode}")
    # The broker gives up on a client it has not heard from for 2 to 3 heartbeat intervals.
    story.say(f"Three consumers with a {HEARTBEAT} s heartbeat get a job of {WORK} s each: one blocks its I/O "
              "loop, one works in a thread, one works in slices.")
    slow = {mode: story.start(mode, f"{LESSON}.slow_consumer", "--mode", mode, "--queue", f"pressure.slow.{mode}",
                              "--heartbeat", str(HEARTBEAT), "--work", str(WORK), env=env, ready=r"Received")
            for mode in SLOW_MODES}

    # The consumer timeout is 30 minutes by default. Set it to 5 s for the consumer started next,
    # the documented way to change it at run time (rabbitmq.conf: consumer_timeout = 5000).
    story.say(f"Meanwhile a consumer takes a job and never acks it. The consumer timeout, {CONSUMER_TIMEOUT_MS} ms:")
    story.say(f"  {ctl_command(node)} eval 'application:set_env(rabbit, consumer_timeout, {CONSUMER_TIMEOUT_MS}).'")
    eval_on(node, f"application:set_env(rabbit, consumer_timeout, {CONSUMER_TIMEOUT_MS}).")
    publish(node, STALLED, "stalled-job", arguments={"x-queue-type": "quorum"})
    stalled = story.start("stalled", f"{LESSON}.stalled_consumer", env=env, ready=r"Received 'stalled-job'")
    # The consumer got its message under the 5 s timeout; the consumers that come later get the
    # default again.
    eval_on(node, f"application:set_env(rabbit, consumer_timeout, {DEFAULT_CONSUMER_TIMEOUT_MS}).")
    stalled.wait(timeout=30)
    ended = stalled.when(r"The broker (closed|cancelled)") - stalled.when(r"Received 'stalled-job'")
    closed = stalled.matches(r"closed the channel: 406 PRECONDITION_FAILED")
    cancelled = stalled.matches(r"cancelled this consumer")
    story.check(closed or cancelled,
                f"RabbitMQ {version} ended the stalled consumer after {ended:.1f} s: "
                + ("it closed the channel (PRECONDITION_FAILED)" if closed else "it cancelled the consumer (basic.cancel)"))
    story.check(eventually(lambda: depth(node, STALLED) == 1, timeout=5),
                "the unacknowledged message is back on the queue, ready for another consumer")

    for process in slow.values():
        process.wait(timeout=30)
    story.check(slow["block"].matches(r"Lost the connection") and "missed heartbeats from client" in node.log_text(),
                "the consumer that blocked its I/O loop lost its connection (the node logged 'missed heartbeats')")
    story.check(depth(node, "pressure.slow.block") == 1, "... and its message went back to the queue")
    story.check(all(slow[mode].matches(r"Done and acknowledged") for mode in ("thread", "chunks"))
                and depth(node, "pressure.slow.thread") == 0 and depth(node, "pressure.slow.chunks") == 0,
                f"the same {WORK} s of work in a thread, or in slices with process_data_events(), kept the connection")


def start_celery_worker(story: Story, env: dict):
    """The Celery worker starts early, quietly, while the sections before its own run."""
    return story.start_worker("worker", "tasks", "--concurrency", "2", "--without-mingle",
                              "--without-gossip", env=env, ready=None)


def celery_reconnects(story: Story, node: Node, env: dict, worker) -> None:
    story.section("Celery: the broker drops the worker's connection in the middle of a task")
    worker.wait_for(r"\bready\.", timeout=30)
    story.say("A Celery worker (acks_late, broker_heartbeat=10) started during the sections above: "
              + worker.matches(r"Connected to .*")[-1].group(0))
    client = story.start("client", f"{LESSON}.client", "--seconds", "3", env=env)
    worker.wait_for(r"Building the report", timeout=20)
    # What `rabbitmqctl close_all_connections` does, through the management API: quicker than the
    # command line, whose start alone can outlast the task on a busy machine.
    story.say("The task runs. Dropping every connection on the node, as "
              f"'{ctl_command(node)} close_all_connections' would (DELETE /api/connections/NAME):")
    api = Management(url=node.management_url, vhost="/")
    for connection in api.get("connections"):
        api.delete("connections", connection["name"])
    worker.wait_for(r"Connection to broker lost", timeout=15)
    worker.wait_for(r"Building the report.*\(redelivered\)", timeout=30)
    client.wait(timeout=30)
    story.check(worker.matches(r"cannot be acknowledged after a connection loss"),
                "the worker stopped its copy of the task (worker_cancel_long_running_tasks_on_connection_loss)")
    story.check(worker.count(r"Connected to amqp") >= 2, "the worker reconnected by itself")
    story.check(client.returncode == 0 and client.matches(r"Result: 'report built in 3 s'"),
                "the broker redelivered the task, the worker ran it again and the client got its result")
    story.check(eventually(lambda: 10 in {c.get("timeout") for c in api.get("connections")}, timeout=10),
                "the management API shows the worker's heartbeat: timeout 10 s (broker_heartbeat)")


def serve(story: Story) -> None:
    node = start_node(story)
    story.say(f"\nThe node runs. In other terminals, in {FOLDER}:\n"
              f"  export AMQP_URL='{node.amqp_url}'\n"
              f"  python consumer.py\n"
              f"  python publisher.py --count 100 --interval 0.5\n"
              f"  {ctl_command(node)} set_vm_memory_high_watermark 0.0001\n"
              f"Management UI: http://127.0.0.1:{node.management_port} (course/course). Ctrl+C stops the node.")
    while True:
        time.sleep(3600)


def _options(parser):
    parser.add_argument("--serve", action="store_true", help="only start the lesson's node and wait")


def main(argv=None) -> int:
    with Story(26, argv, options=_options) as story:
        if story.options.serve:
            serve(story)
        node = start_node(story)
        env = {"AMQP_URL": node.amqp_url}
        limits = current_limits(node)
        memory_alarm(story, node, env, limits)
        disk_alarm(story, node, env, limits)
        worker = start_celery_worker(story, env)
        with worker.quiet():  # its banner would land in the middle of the next sections
            length_limits(story, env)
            # Its channel must open before the consumer timeout is lowered (3.x reads it then).
            worker.wait_for(r"\bready\.", timeout=30)
            stalled_consumers(story, node, env)
        celery_reconnects(story, node, env, worker)
        # The story is told: let the worker shut down while the node stops (seconds saved).
        worker.interrupt()
        node.stop()
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
