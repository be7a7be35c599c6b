"""Lesson 25's story in one terminal: three RabbitMQ nodes of our own, joined into a cluster; a
quorum queue on all three; the leader's node stopped while a consumer and a Celery worker work;
then two nodes of three down, and back.

    make lesson-25            (or: python -m lessons run 25)

The nodes are the lesson's own (l25n1..l25n3@localhost, AMQP 5681-5683, data in a temporary
folder), from the same RabbitMQ install as the broker the course talks to. They are stopped and
removed at the end, also on Ctrl+C. The course's own broker is never joined, reset or changed.
"""

import json
import sys
import time

import pika
import pika.exceptions

from lessons import broker, nodes
from lessons.runner import Story, eventually, wait_until

LESSON = "production.lesson25_cluster"
ORDERS, TASKS, CLASSIC = "orders", "lesson25_tasks", "invoices"
COUNT, TASK_COUNT = 100, 16
COMPOSE = "docker compose --profile cluster up -d --wait"


def urls(*members: nodes.Node) -> str:
    """CLUSTER_URLS for the roles: the nodes' AMQP URLs, in this order, separated by ';'."""
    return ";".join(member.amqp_url for member in members)


def short(node_name: str) -> str:
    return node_name.split("@")[0]


def queue_info(node: nodes.Node, name: str) -> dict:
    """What `rabbitmqctl list_queues` says about a queue, asked of `node` ({} if it cannot say)."""
    result = node.ctl("list_queues", "name", "type", "leader", "members", "online",
                      "--formatter", "json", timeout=20, check=False)
    try:
        rows = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        return {}
    return next((row for row in rows if row.get("name") == name), {})


def replay(story: Story, process, *words: str, since: float = 0.0) -> None:
    """Show the lines of a quiet process (the Celery worker logs a lot) that contain one of `words`."""
    for line, at in zip(process.lines, process.times, strict=False):
        if at > since and any(word in line for word in words):
            story.say(f"{process.name:>10} | {line}")


def raft_states(node: nodes.Node, name: str) -> dict[str, str]:
    """`rabbitmq-queues quorum_status`: each member's Raft state (leader, follower)."""
    rows = json.loads(node.queues_tool("quorum_status", name, "--formatter", "json").stdout)
    return {row["Node Name"]: row["Raft State"] for row in rows}


def main(argv=None) -> int:
    with Story(25, argv) as story:
        try:
            install = nodes.install_for_shared_broker()
        except nodes.NodeError:
            raise nodes.NodeError(
                "This lesson starts three RabbitMQ nodes of its own, which needs RabbitMQ installed on "
                "this machine ('apt-get install rabbitmq-server'). With Docker only, start the course stack's "
                f"cluster profile instead ({COMPOSE}, in the repository's folder) and run the roles against it "
                "('make lesson-25 ROLE=consumer', ...).") from None
        cluster = nodes.Nodes(3, base_port=5681, prefix="l25n", install=install, plugins=())
        story.cleanup(cluster.stop_all, always=True)  # also on Ctrl+C or a failed check
        n1, n2, n3 = cluster
        version = install.version()

        story.section(f"Three nodes of our own (RabbitMQ {version}, {install.label})")
        story.say("Starting " + ", ".join(f"{n.node} (AMQP {n.amqp_port})" for n in cluster)
                  + " side by side: 'rabbitmq-server -detached' with its own name, ports and data folder each ...")
        took = cluster.start_all()
        story.say(f"Data folders: {', '.join(str(n.folder) for n in cluster)}")
        story.check(all(nodes.port_taken(n.amqp_port) for n in cluster),
                    f"3 separate nodes accept AMQP connections (they took {took:.1f} s to start)")

        story.section("Join them into one cluster")
        for member in (n2, n3):
            for args in (("stop_app",), ("reset",), ("join_cluster", n1.node), ("start_app",)):
                story.say(f"  $ rabbitmqctl -n {member.node} {' '.join(args)}")
        story.say("  (stop_app and reset on both at once, then join_cluster and start_app one node after the other;\n"
                  "   reset wipes a node's own data: it takes the cluster's users, queues and settings)")
        took = cluster.join_all()
        status = json.loads(n1.ctl("cluster_status", "--formatter", "json").stdout)
        running = sorted(status.get("running_nodes", []))
        story.check(running == sorted(n.node for n in cluster),
                    f"cluster_status on {short(n1.node)} lists 3 running nodes: "
                    f"{', '.join(map(short, running))} (joined in {took:.1f} s)")

        story.section("A quorum queue replicated on all three; a classic queue on one node")
        worker = story.start_worker("worker", "tasks", "--concurrency", "1",
                                    "--without-mingle", "--without-gossip",
                                    env={"CLUSTER_URLS": urls(n1, n2, n3)}, echo=False)
        replay(story, worker, "Connected to", "ready")
        story.say(f"Declaring '{ORDERS}' through {short(n1.node)}, with x-queue-type: quorum ...")
        with broker.channel(n1.amqp_url) as channel:
            channel.queue_declare(ORDERS, durable=True, arguments={"x-queue-type": "quorum"})
        story.say(f"  $ rabbitmq-queues -n {n2.node} quorum_status {ORDERS}")
        states = raft_states(n2, ORDERS)
        for member, state in sorted(states.items()):
            story.say(f"      {member:<18} {state}")
        info = queue_info(n2, ORDERS)
        leader = info.get("leader", "")
        story.check(info.get("type") == "quorum" and sorted(states) == sorted(n.node for n in cluster),
                    f"'{ORDERS}' is a quorum queue (x-queue-type: quorum) with a replica on each of the 3 nodes")
        story.check(leader == n1.node and states.get(n1.node) == "leader",
                    f"its leader is {short(leader)}: it was declared through that node")
        with broker.channel(n1.amqp_url) as channel:
            channel.queue_declare(CLASSIC, durable=True)
            channel.confirm_delivery()
            channel.basic_publish("", CLASSIC, b"invoice-1",
                                  pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))
        story.say(f"  $ rabbitmqctl -n {n1.node} list_queues --local name type")
        local = json.loads(n1.ctl("list_queues", "--local", "name", "type", "--formatter", "json").stdout)
        story.check({"name": CLASSIC, "type": "classic"} in local,
                    f"the classic queue '{CLASSIC}' (1 message) lives on {short(n1.node)} only")

        story.section(f"{COUNT} orders with publisher confirms, {TASK_COUNT} tasks through Celery")
        consumer = story.start("consumer", f"{LESSON}.consumer", "--work", "0.1", "--idle-timeout", "4",
                               "--print-every", "20", env={"CLUSTER_URLS": urls(n1, n2, n3)},
                               ready=r"Waiting for orders")
        producer = story.run("producer", f"{LESSON}.producer", "--count", str(COUNT), "--print-every", "25",
                             env={"CLUSTER_URLS": urls(n2, n3, n1)}, timeout=60)
        confirmed = producer.count(rf"{COUNT} orders sent, each one confirmed")
        client = story.start("client", f"{LESSON}.client", "--count", str(TASK_COUNT), "--interval", "0.5",
                             env={"CLUSTER_URLS": urls(n2, n3, n1)})

        story.section(f"Stop {short(n1.node)}, the leader, while the consumer and the worker work through it")
        consumer.wait_for(r"\(20 handled\)", timeout=30)
        client.wait_for(r"Sent resize\('photo-3.jpg'\)", timeout=30)
        story.say(f"  $ rabbitmqctl -n {n1.node} stop")
        stopped_at = time.monotonic()
        took = n1.shutdown()
        story.say(f"  ({short(n1.node)} stopped in {took:.1f} s)")
        new_leader = wait_until(lambda: (queue_info(n2, ORDERS).get("leader") or "").replace(n1.node, "") or None,
                                timeout=30, interval=0.3, what=f"a new leader of '{ORDERS}'")
        elected = time.monotonic() - stopped_at
        info = queue_info(n2, ORDERS)
        story.check(new_leader in (n2.node, n3.node) and sorted(info.get("online", [])) == sorted([n2.node, n3.node]),
                    f"a new leader took over {elected:.1f} s after the stop: {short(new_leader)} "
                    f"(replicas online: {', '.join(map(short, sorted(info.get('online', []))))}; "
                    f"{short(n1.node)} is still a member, offline)")
        done = consumer.wait_for(r"Done: (\d+) orders handled, (\d+) distinct, (\d+) redelivered, through (.*)",
                                 timeout=60)
        handled, distinct, redelivered = (int(done.group(i)) for i in (1, 2, 3))
        story.check(consumer.count(rf"Lost 127.0.0.1:{n1.amqp_port}") == 1 and str(n2.amqp_port) in done.group(4),
                    f"the consumer lost {short(n1.node)} and went on through the next node: {done.group(4)}")
        story.check(confirmed == 1 and distinct == COUNT,
                    f"no confirmed order was lost: {COUNT} confirmed, {distinct} distinct orders handled "
                    f"({handled} deliveries: {redelivered} unacknowledged ones came again, marked redelivered)")
        client.wait(timeout=90)
        worker.stop()  # before the next section takes its new broker node away too
        replay(story, worker, "Connection to broker lost", "Cannot connect", "Connected to amqp",
               "Retrying delayed delivery", "Failed to setup delayed delivery", since=stopped_at)
        if worker.count("Retrying delayed delivery"):
            story.say("  (With a quorum task queue, Celery 5.5+ sets up native delayed delivery on every URL of\n"
                      "   broker_url each time it connects, and retries a stopped node three times first.)")
        runs = [at for line, at in zip(worker.lines, worker.times, strict=False) if "succeeded" in line]
        lost_at = worker.when("Connection to broker lost") or stopped_at
        back_at = worker.when(rf"Connected to amqp://course:\*\*@127.0.0.1:{n2.amqp_port}") or lost_at
        received = [at for line, at in zip(worker.lines, worker.times, strict=False) if "received" in line]
        resumed = next((at - lost_at for at in received if at > back_at), None)
        again = (f"; {len(runs) - TASK_COUNT} in flight when the connection dropped ran again (acks_late)"
                 if len(runs) > TASK_COUNT else "")
        story.check(client.count(rf"{TASK_COUNT} of {TASK_COUNT} tasks completed") == 1 and resumed is not None,
                    f"Celery: all {TASK_COUNT} tasks completed, {sum(at > stopped_at for at in runs)} of "
                    f"{len(runs)} runs after the stop{again}")
        story.check(back_at > lost_at and resumed is not None,
                    f"the worker failed over to the next URL of broker_url (127.0.0.1:{n2.amqp_port}, "
                    f"broker_failover_strategy round-robin) and took tasks again {resumed or 0:.1f} s after "
                    "it lost its node")
        try:
            with broker.channel(n2.amqp_url) as channel:
                channel.queue_declare(CLASSIC, passive=True)
            refusal = "none: it answered"
        except pika.exceptions.ChannelClosedByBroker as exc:
            refusal = f"{exc.reply_code} {exc.reply_text}"
        story.check(refusal.startswith("404"),
                    f"the classic queue '{CLASSIC}' is gone with its node, asked through {short(n2.node)}: {refusal}")

        story.section(f"A majority: stop {short(n2.node)} too, 1 node of 3 is left")
        story.say(f"  $ rabbitmqctl -n {n2.node} stop")
        n2.shutdown()
        late = story.start("producer", f"{LESSON}.producer", "--count", "1", "--first", str(COUNT + 1),
                           env={"CLUSTER_URLS": urls(n3)})
        confirmed_alone = eventually(lambda: late.count("confirmed") > 0 or not late.running, timeout=6)
        story.check(not confirmed_alone and late.running,
                    f"order-{COUNT + 1}, sent through {short(n3.node)}, is not confirmed after 6 s: one replica of "
                    "three is no majority" + (" (the broker refuses it with a nack; the producer sends it again)"
                                              if late.count("refused") else " (the confirm does not come)"))

        story.section(f"Bring {short(n2.node)} back: 2 of 3 is a majority again")
        story.say(f"  $ rabbitmq-server -detached   (as {n2.node}, with its data)")
        restarted_at = time.monotonic()
        took = n2.start()
        late.wait(timeout=60)
        confirmed_at = late.when(rf"Sent order-{COUNT + 1} \(confirmed\)")
        story.check(confirmed_at is not None,
                    f"{short(n2.node)} was back (accepting connections) after {took:.1f} s; order-{COUNT + 1} "
                    f"was confirmed {(confirmed_at or restarted_at) - restarted_at:.1f} s after the restart began")
        with broker.channel(n3.amqp_url) as channel:
            waiting = channel.queue_declare(ORDERS, passive=True).method.message_count
        story.check(waiting == 1, f"'{ORDERS}' works again: it holds order-{COUNT + 1}, the one sent during the outage")
        story.say("\nStopping the three nodes and removing their data ...")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
