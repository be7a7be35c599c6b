"""Lesson 25's story in one terminal: three RabbitMQ nodes of our own, joined into a cluster;
quorum queues with their leaders spread over the nodes; Celery tasks for later waiting in the
broker; the node the clients use stopped while a consumer and a Celery worker work through it;
then two nodes of three down, and back.

    make lesson-25            (or: python -m lessons run 25)

The nodes are the lesson's own (l25n1..l25n3@localhost, AMQP 5681-5683, management 15681-15683,
data in a temporary folder), from the same RabbitMQ install as the broker the course talks to.
The Celery worker reaches them through one address, 127.0.0.1:5685: HAProxy, run in the
foreground with this folder's haproxy.cfg, as production puts a load balancer in front of a cluster.
Everything is stopped and removed at the end, also on Ctrl+C. The course's own broker is never
joined, reset or changed.
"""

import json
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

import pika
import pika.exceptions
import redis

from lessons import broker, errors, nodes, settings
from lessons.management import Management
from lessons.processes import Process
from lessons.story import Story
from lessons.waiting import eventually, wait_until

LESSON = "production.lesson25_cluster"
ORDERS, TASKS, CLASSIC = "orders", "lesson25_tasks", "invoices"
COUNT, TASK_COUNT, LATER = 100, 16, 3
FRONT_PORT = 5685  # haproxy.cfg's default bind address is 127.0.0.1:5685
FRONT_URL = f"amqp://{nodes.USER}:{nodes.PASSWORD}@127.0.0.1:{FRONT_PORT}/%2F"
NO_HAPROXY = ("This lesson puts HAProxy in front of its nodes and haproxy is not installed here: install it "
              "with 'apt-get install haproxy' and run again.")
COMPOSE = "docker compose --profile cluster up -d --wait"
# The nodes read the same leader-placement line as the compose profile's nodes (cluster.conf).
LOCATOR = next(line for line in (Path(__file__).with_name("cluster.conf")).read_text().splitlines()
               if line.startswith("queue_leader_locator"))


def urls(*members: nodes.Node) -> str:
    """CLUSTER_URLS for the roles: the nodes' AMQP URLs, in this order, separated by ';'."""
    return ";".join(member.amqp_url for member in members)


def short(node_name: str) -> str:
    return node_name.split("@")[0]


def check_port_free(port: int) -> None:
    if nodes.port_taken(port):
        raise nodes.NodeError(f"Port {port} (the address the lesson puts in front of its nodes) is already taken "
                              "on 127.0.0.1. Stop what listens there and run again.")


class HAProxy:
    """HAProxy in the foreground with the lesson's haproxy.cfg, its servers rabbit1..rabbit3 set to
    `members` (in that order) through the environment; ready once its port accepts connections."""

    def __init__(self, story: Story, members: list[nodes.Node]):
        self.members = members
        folder = Path(tempfile.mkdtemp(prefix="course-l25-haproxy-"))
        story.cleanup(lambda: shutil.rmtree(folder, ignore_errors=True), always=True)
        self.admin_socket = str(folder / "admin.sock")
        env = {f"LB_NODE{i}": f"127.0.0.1:{member.amqp_port}" for i, member in enumerate(members, start=1)}
        self.process: Process = story.start_command("haproxy", [shutil.which("haproxy") or "haproxy", "-db", "-f", "haproxy.cfg"],
                                           env={**env, "LB_ADMIN_SOCKET": self.admin_socket})
        wait_until(lambda: nodes.port_taken(FRONT_PORT) or not self.process.running, timeout=15,
                   what=f"HAProxy to accept connections on 127.0.0.1:{FRONT_PORT}")
        if not self.process.running:
            raise errors.CourseError(f"HAProxy stopped at once (exit code {self.process.returncode}). "
                                     f"Its last lines:\n{self.process.tail()}")

    def server(self, member: nodes.Node) -> str:
        return f"rabbitmq/rabbit{self.members.index(member) + 1}"

    def command(self, line: str) -> str:
        """One command on HAProxy's runtime API (its unix socket), as `socat stdio SOCKET` sends it."""
        with socket.socket(socket.AF_UNIX) as admin:
            admin.settimeout(5)
            admin.connect(self.admin_socket)
            admin.sendall(line.encode() + b"\n")
            answer = b""
            while chunk := admin.recv(4096):
                answer += chunk
        return answer.decode().strip()


def consumer_nodes(api: Management, queue: str) -> list[str]:
    """The nodes whose connections consume `queue`, as the broker sees them (/api/consumers)."""
    try:
        rows = api.get("consumers", "/")
    except Exception:  # noqa: BLE001 - the management API of a node that is going down: ask again
        return []
    return [row["channel_details"]["node"] for row in rows if row.get("queue", {}).get("name") == queue]


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


def task_state(task_id: str) -> str:
    """The state Celery's result backend (Redis) holds for a task; PENDING means it knows nothing."""
    raw = redis.Redis.from_url(settings.REDIS_URL).get(f"celery-task-meta-{task_id}")
    return json.loads(raw)["status"] if raw else "PENDING"


def delayed_messages(api: Management) -> int | None:
    """Messages waiting in Celery's celery_delayed_* queues, summed (management API)."""
    rows = api.get("queues", "/", columns="name,messages")
    counts = [row.get("messages") for row in rows if row["name"].startswith("celery_delayed_")]
    return None if None in counts or len(counts) < 28 else sum(counts)


def main(argv=None) -> int:
    with Story(25, argv) as story:
        tell(story)
    return story.exit_code


def tell(story: Story) -> None:
    install = local_install()
    cluster = nodes.Nodes(3, base_port=5681, prefix="l25n", install=install, config=LOCATOR)
    story.cleanup(cluster.stop_all, always=True)  # also on Ctrl+C or a failed check
    check_port_free(FRONT_PORT)  # before the nodes take their time to start
    if not shutil.which("haproxy"):
        raise errors.CourseError(NO_HAPROXY)

    three_nodes(story, cluster, install)
    join(story, cluster)
    leader, others = quorum_queue(story, cluster)
    worker, api = worker_behind_haproxy(story, leader, others)
    leaders_spread(story, cluster)
    classic_queue(story, leader)
    tasks_for_later(story, worker, api, others, leader)
    consumer, client, confirmed = orders_and_tasks(story, leader, others)
    stopped_at = stop_the_leader(story, leader, others, consumer, client, confirmed)
    worker_moved(story, worker, client, leader, others, stopped_at)
    classic_queue_gone(story, others[0])
    majority_lost_and_regained(story, *others)
    story.say("\nStopping the three nodes and removing their data ...")


def local_install() -> nodes.Install:
    try:
        return nodes.install_for_shared_broker()
    except nodes.NodeError:
        raise nodes.NodeError(
            "This lesson starts three RabbitMQ nodes of its own, which needs RabbitMQ installed on "
            "this machine ('apt-get install rabbitmq-server'). With Docker only, start the course stack's "
            f"cluster profile instead ({COMPOSE}, in the repository's folder) and run the roles against it "
            "('make lesson-25 ROLE=consumer', ...).") from None


def three_nodes(story: Story, cluster: nodes.Nodes, install: nodes.Install) -> None:
    story.section(f"Three nodes of our own (RabbitMQ {install.version()}, {install.label})")
    story.say("Starting " + ", ".join(f"{n.node} (AMQP {n.amqp_port})" for n in cluster)
              + " side by side: 'rabbitmq-server -detached' with its own name, ports and data folder each,\n"
              f"and '{LOCATOR}' in its rabbitmq.conf ...")
    took = cluster.start_all()
    story.say(f"Data folders: {', '.join(str(n.folder) for n in cluster)}")
    story.check(all(nodes.port_taken(n.amqp_port) for n in cluster),
                f"3 separate nodes accept AMQP connections (they took {took:.1f} s to start)")


def join(story: Story, cluster: nodes.Nodes) -> None:
    story.section("Join them into one cluster")
    n1, n2, n3 = cluster
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


def quorum_queue(story: Story, cluster: nodes.Nodes) -> tuple[nodes.Node, list[nodes.Node]]:
    """Declare 'orders'; return the node that leads it and the two others."""
    story.section("Quorum queues: three replicas each, their leaders spread over the nodes")
    n1, n2, _ = cluster
    story.say(f"Declaring '{ORDERS}' through {short(n1.node)}, with x-queue-type: quorum ...")
    with broker.channel(n1.amqp_url) as channel:
        channel.queue_declare(ORDERS, durable=True, arguments={"x-queue-type": "quorum"})
    story.say(f"  $ rabbitmq-queues -n {n2.node} quorum_status {ORDERS}")
    states = raft_states(n2, ORDERS)
    for member, state in sorted(states.items()):
        story.say(f"      {member:<18} {state}")
    info = queue_info(n2, ORDERS)
    leader = next(n for n in cluster if n.node == info.get("leader"))
    story.check(info.get("type") == "quorum" and sorted(states) == sorted(n.node for n in cluster),
                f"'{ORDERS}' is a quorum queue with 3 replicas (RabbitMQ's default size, quorum_cluster_size): "
                "here, one on each node")
    return leader, [n for n in cluster if n is not leader]


def worker_behind_haproxy(story: Story, leader: nodes.Node, others: list[nodes.Node]) -> tuple[Process, Management]:
    """HAProxy in front of the nodes, the Celery worker connected through it to `leader`."""
    # HAProxy's first server is the node that leads 'orders': that node is stopped below.
    members = [leader, *others]
    story.say(f"  $ haproxy -db -f haproxy.cfg   (LB_NODE1..3: {', '.join(short(n.node) for n in members)}, "
              f"its servers rabbit1..rabbit3)")
    proxy = HAProxy(story, members)
    story.say(f"The Celery worker's broker_url is one address, {FRONT_URL.replace(':course@', ':**@')}: HAProxy, "
              "which passes\neach new connection to the node with the fewest (balance leastconn) among those "
              "that pass its AMQP health check.\nSo that the worker's connections go to "
              f"{short(leader.node)}, the node the story stops, the demo drains the other two while it connects "
              "(runtime API):")
    for member in others:
        story.say(f"  $ echo 'set server {proxy.server(member)} state drain' | socat stdio admin.sock")
        proxy.command(f"set server {proxy.server(member)} state drain")
    worker = story.start_worker("worker", "tasks", "--concurrency", "1",
                                "--without-mingle", "--without-gossip",
                                env={"CLUSTER_URLS": FRONT_URL}, echo=False)
    replay(story, worker, "Connected to", "ready")
    api = Management(leader.management_url, vhost="/")
    before = wait_until(lambda: consumer_nodes(api, TASKS), timeout=30, interval=0.3,
                        what=f"the worker's consumer of '{TASKS}' in the management API")
    for member in others:
        story.say(f"  $ echo 'set server {proxy.server(member)} state ready' | socat stdio admin.sock")
        proxy.command(f"set server {proxy.server(member)} state ready")
    story.check(before == [leader.node],
                f"the broker says the worker consumes '{TASKS}' through {', '.join(map(short, before))} "
                "(/api/consumers, channel_details.node)")
    return worker, api


def leaders_spread(story: Story, cluster: nodes.Nodes) -> None:
    n1 = cluster[0]
    story.say(f"  $ rabbitmqctl -n {n1.node} list_queues name type leader   (counted per node)")
    rows = json.loads(n1.ctl("list_queues", "name", "type", "leader", "--formatter", "json").stdout)
    led = {n.node: sum(row["type"] == "quorum" and row["leader"] == n.node for row in rows) for n in cluster}
    total = sum(led.values())
    story.check(total >= 30 and all(count * 5 >= total for count in led.values()),
                f"the {total} quorum queues ('{ORDERS}', '{TASKS}' and Celery's 28 celery_delayed_*) have their "
                f"leaders spread by {LOCATOR}: "
                + ", ".join(f"{short(node)} leads {count}" for node, count in led.items())
                + " (client-local, the default, would put them all on the node each client used)")


def classic_queue(story: Story, leader: nodes.Node) -> None:
    with broker.channel(leader.amqp_url) as channel:
        channel.queue_declare(CLASSIC, durable=True)
        channel.confirm_delivery()
        channel.basic_publish("", CLASSIC, b"invoice-1",
                              pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))
    story.say(f"  $ rabbitmqctl -n {leader.node} list_queues --local name type")
    local = json.loads(leader.ctl("list_queues", "--local", "name", "type", "--formatter", "json").stdout)
    story.check({"name": CLASSIC, "type": "classic"} in local,
                f"the classic queue '{CLASSIC}' (1 message), declared through {short(leader.node)}, "
                "lives on that node only")


def tasks_for_later(story: Story, worker: Process, api: Management, others: list[nodes.Node],
                    leader: nodes.Node) -> None:
    story.section("Tasks for later wait in the broker, not in the one-slot worker")
    later = story.run("client", f"{LESSON}.client", "--later", str(LATER), "--countdown", "600",
                      "--count", "1", "--interval", "0", env={"CLUSTER_URLS": urls(*others, leader)},
                      timeout=90)
    later_ids = [m.group(1) for m in later.matches(r"to run in \d+ s \(id ([\w-]+)\)")]
    now_id = later.wait_for(r"photo-1.jpg'\) \(id ([\w-]+)\)", timeout=1).group(1)
    eventually(lambda: (delayed_messages(api) or 0) >= LATER, timeout=60, interval=1)  # stats lag a few s
    waiting = delayed_messages(api)
    story.check(task_state(now_id) == "SUCCESS" and waiting == LATER
                and [task_state(i) for i in later_ids] == ["PENDING"] * LATER,
                f"the task sent after {LATER} tasks for in 10 minutes is SUCCESS in the result backend, while those "
                f"{LATER} wait in the celery_delayed_* queues ({waiting} messages, management API), not in the worker")
    queues = [q for q in api.get("queues", "/", columns="name,type") if q["name"].startswith("celery_delayed_")]
    exchanges = {e["name"]: e["type"] for e in api.exchanges()}
    delayed_exchanges = [name for name, kind in exchanges.items()
                         if name.startswith("celery_delayed_") and kind == "topic"]
    story.check(len(queues) == 28 and {q["type"] for q in queues} == {"quorum"} and len(delayed_exchanges) == 29
                and exchanges.get(TASKS) == "topic",
                f"Celery's native delayed delivery is set up: {len(queues)} celery_delayed_* quorum queues and "
                f"{len(delayed_exchanges)} topic exchanges, and '{TASKS}' is a topic exchange "
                "(task_default_exchange_type)")
    # kombu warns when the worker sets up delayed delivery (before 'ready'), Celery when a client sends.
    story.check(worker.count("is a direct exchange") == 0 and later.count("direct exchange") == 0,
                "neither the worker's log nor the client's has a 'direct exchange' warning "
                "(\"ETA tasks ... will block the worker until the ETA arrives\")")


def orders_and_tasks(story: Story, leader: nodes.Node, others: list[nodes.Node]) -> tuple[Process, Process, bool]:
    """Start the consumer, send the confirmed orders and start the Celery client; True if all were confirmed."""
    story.section(f"{COUNT} orders with publisher confirms, {TASK_COUNT} tasks through Celery")
    consumer = story.start("consumer", f"{LESSON}.consumer", "--work", "0.1", "--idle-timeout", "4",
                           "--print-every", "20", env={"CLUSTER_URLS": urls(leader, *others)},
                           ready=r"Waiting for orders")
    producer = story.run("producer", f"{LESSON}.producer", "--count", str(COUNT), "--print-every", "25",
                         env={"CLUSTER_URLS": urls(*others, leader)}, timeout=60)
    confirmed = producer.count(rf"{COUNT} orders sent, each one confirmed") == 1
    client = story.start("client", f"{LESSON}.client", "--count", str(TASK_COUNT), "--interval", "0.5",
                         env={"CLUSTER_URLS": urls(*others, leader)})
    return consumer, client, confirmed


def stop_the_leader(story: Story, leader: nodes.Node, others: list[nodes.Node], consumer: Process,
                    client: Process, confirmed: bool) -> float:
    """Stop `leader` while the roles work; check the election and the orders. Return when it stopped."""
    story.section(f"Stop {short(leader.node)}, the leader of '{ORDERS}', while the consumer and the worker "
                  "work through it")
    consumer.wait_for(r"\(20 handled\)", timeout=30)
    client.wait_for(r"Sent resize\('photo-3.jpg'\)", timeout=30)
    story.say(f"  $ rabbitmqctl -n {leader.node} stop")
    stopped_at = time.monotonic()
    took = leader.shutdown()
    story.say(f"  ({short(leader.node)} stopped in {took:.1f} s)")
    new_leader = wait_until(lambda: (queue_info(others[0], ORDERS).get("leader") or "").replace(leader.node, "")
                            or None, timeout=30, interval=0.3, what=f"a new leader of '{ORDERS}'")
    elected = time.monotonic() - stopped_at
    info = queue_info(others[0], ORDERS)
    story.check(new_leader in (others[0].node, others[1].node)
                and sorted(info.get("online", [])) == sorted(n.node for n in others),
                f"a new leader took over {elected:.1f} s after the stop: {short(new_leader)} "
                f"(replicas online: {', '.join(map(short, sorted(info.get('online', []))))}; "
                f"{short(leader.node)} is still a member, offline)")
    done = consumer.wait_for(r"Done: (\d+) orders handled, (\d+) distinct, (\d+) redelivered, through (.*)",
                             timeout=60)
    handled, distinct, redelivered = (int(done.group(i)) for i in (1, 2, 3))
    story.check(consumer.count(rf"Lost 127.0.0.1:{leader.amqp_port}") == 1
                and str(others[0].amqp_port) in done.group(4),
                f"the consumer lost {short(leader.node)} and went on through the next node: {done.group(4)}")
    story.check(confirmed and distinct == COUNT,
                f"no confirmed order was lost: {COUNT} confirmed, {distinct} distinct orders handled "
                f"({handled} deliveries: {redelivered} unacknowledged ones came again, marked redelivered)")
    return stopped_at


def worker_moved(story: Story, worker: Process, client: Process, leader: nodes.Node, others: list[nodes.Node],
                 stopped_at: float) -> None:
    """The Celery worker behind HAProxy lost its node, reconnected to the same address, and went on."""
    client.wait(timeout=120)
    # Where the worker consumes now, asked of a live node (the management API of the stopped one is gone).
    live_api = Management(others[0].management_url, vhost="/")
    eventually(lambda: consumer_nodes(live_api, TASKS) in ([others[0].node], [others[1].node]), timeout=30,
               interval=0.3)
    after = consumer_nodes(live_api, TASKS)
    worker_alive = worker.running
    worker.stop()  # before the next section takes its new broker node away too
    replay(story, worker, "Connection to broker lost", "Cannot connect", "Connected to amqp",
           "Retrying delayed delivery", "Failed to setup delayed delivery", since=stopped_at)
    runs = [at for line, at in zip(worker.lines, worker.times, strict=False) if "succeeded" in line]
    lost_at = worker.when("Connection to broker lost") or stopped_at
    received = [at for line, at in zip(worker.lines, worker.times, strict=False) if "received" in line]
    resumed = next((at - lost_at for at in received if at > lost_at), None)
    again = (f"; {len(runs) - TASK_COUNT - 1} in flight when the connection dropped ran again (acks_late)"
             if len(runs) > TASK_COUNT + 1 else "")
    story.check(client.count(rf"{TASK_COUNT} of {TASK_COUNT} tasks completed") == 1,
                f"Celery: all {TASK_COUNT} tasks completed, {sum(at > stopped_at for at in runs)} of "
                f"{len(runs) - 1} runs after the stop{again}")
    story.check(worker_alive and len(after) == 1 and after[0] in (others[0].node, others[1].node)
                and resumed is not None and worker.count("Retrying delayed delivery") == 0,
                f"the worker reconnected to the same address, and the broker says it consumes '{TASKS}' "
                f"through {', '.join(map(short, after)) or 'no node'} now, a live node (it was "
                f"{short(leader.node)}); it took tasks again {resumed or 0:.1f} s after it lost its node, "
                "with no dead node to retry")


def classic_queue_gone(story: Story, live: nodes.Node) -> None:
    try:
        with broker.channel(live.amqp_url) as channel:
            channel.queue_declare(CLASSIC, passive=True)
        refusal = "none: it answered"
    except pika.exceptions.ChannelClosedByBroker as exc:
        refusal = f"{exc.reply_code} {exc.reply_text}"
    story.check(refusal.startswith("404"),
                f"the classic queue '{CLASSIC}' is gone with its node, asked through {short(live.node)}: "
                f"{refusal}")


def majority_lost_and_regained(story: Story, second: nodes.Node, last: nodes.Node) -> None:
    story.section(f"A majority: stop {short(second.node)} too, 1 node of 3 is left")
    story.say(f"  $ rabbitmqctl -n {second.node} stop")
    second.shutdown()
    late = story.start("producer", f"{LESSON}.producer", "--count", "1", "--first", str(COUNT + 1),
                       env={"CLUSTER_URLS": urls(last)})
    confirmed_alone = eventually(lambda: late.count("confirmed") > 0 or not late.running, timeout=6)
    story.check(not confirmed_alone and late.running,
                f"order-{COUNT + 1}, sent through {short(last.node)}, is not confirmed after 6 s: one replica of "
                "three is no majority" + (" (the broker refuses it with a nack; the producer sends it again)"
                                          if late.count("refused") else " (the confirm does not come)"))

    story.section(f"Bring {short(second.node)} back: 2 of 3 is a majority again")
    story.say(f"  $ rabbitmq-server -detached   (as {second.node}, with its data)")
    restarted_at = time.monotonic()
    took = second.start()
    late.wait(timeout=60)
    confirmed_at = late.when(rf"Sent order-{COUNT + 1} \(confirmed\)")
    story.check(confirmed_at is not None,
                f"{short(second.node)} was back (accepting connections) after {took:.1f} s; order-{COUNT + 1} "
                f"was confirmed {(confirmed_at or restarted_at) - restarted_at:.1f} s after the restart began")
    with broker.channel(last.amqp_url) as channel:
        waiting = channel.queue_declare(ORDERS, passive=True).method.message_count
    story.check(waiting == 1, f"'{ORDERS}' works again: it holds order-{COUNT + 1}, the one sent during the outage")


if __name__ == "__main__":
    sys.exit(main())
