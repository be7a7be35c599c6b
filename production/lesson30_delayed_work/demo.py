"""Lesson 30's story in one terminal: delayed and scheduled work (countdown, eta, retries).

    make lesson-30                  (or: python -m lessons run 30)
    make lesson-30 ARGS=--serve     only start the lesson's node, for the several-terminals way

The RabbitMQ side runs on a node of the lesson's own, l30@localhost (AMQP 5690, management
15690), whose consumer timeout is 4 s instead of 30 minutes; it is stopped at the end, also on
Ctrl+C. The Redis side uses the course's Redis (REDIS_URL) under queue names of its own, removed
at the end. Delays are seconds instead of hours.
"""

from __future__ import annotations

import html
import json
import signal
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pika
import pika.exceptions
import redis as redis_client
import requests

from lessons import broker, settings
from lessons.management import Management
from lessons.nodes import Node, install_for_shared_broker
from lessons.story import Story, eventually, wait_until

LESSON = "production.lesson30_delayed_work"
NODE_NAME, AMQP_PORT = "l30", 5690
CONSUMER_TIMEOUT_MS, DEFAULT_CONSUMER_TIMEOUT_MS = 4000, 1800000
# The management API refreshes its numbers every second (not every 5 s) for the demo's checks.
NODE_CONFIG = "collect_statistics_interval = 1000\n"
CLASSIC, QUORUM, QDIRECT, OTHER = "lesson30_classic", "lesson30_quorum", "lesson30_qdirect", "lesson30_other"
QPOLICY = "lesson30_qpolicy"  # scene 2: a quorum queue whose policy sets a consumer timeout of its own
SHORT, LONG = "lesson30_redis_short", "lesson30_redis_long"  # Redis lists (queues) of scene 5
HELD, HELD_COUNTDOWN = 6, 30  # scene 1: six reminders for in 30 s
ETA_LIMIT, QDIRECT_COUNTDOWN = 4, 7  # scene 2: worker_eta_task_limit; a countdown beyond the timeout
DELAYED, DELAY = 5, 4  # scene 3: five reminders for in 4 s on the quorum queue
REDIS_COUNTDOWN, SHORT_VISIBILITY = 5, 2  # scene 5: a 5 s countdown, a 2 s visibility timeout
QUIET_WORKER = ("--concurrency", "1", "--pool", "threads", "--without-mingle", "--without-gossip")


def start_node(story: Story) -> Node:
    node = Node(NODE_NAME, AMQP_PORT, install_for_shared_broker(), config=NODE_CONFIG)
    story.cleanup(node.stop, always=True)  # also on Ctrl+C or a failed check
    if node.stop_stale():
        story.say(f"(Starting fresh: stopped {node.node}, left running by an earlier run.)")
    story.say(f"Starting RabbitMQ node {node.node} ({node.install.version()}) on port {node.amqp_port}, "
              f"management on {node.management_port} ...")
    seconds = node.start()
    if node.install.version().startswith("3."):
        # 3.x checks consumer timeouts on each channel's tick, once a minute by default (an
        # internal setting, read when a channel opens): every second here, before any channel opens.
        node.ctl("eval", "application:set_env(rabbit, channel_tick_interval, 1000).")
    story.say(f"{node.node} accepts connections ({seconds:.1f} s).")
    return node


def set_consumer_timeout(node: Node, ms: int) -> None:
    """What `consumer_timeout = MS` in rabbitmq.conf sets, at run time (read when a channel opens)."""
    node.ctl("eval", f"application:set_env(rabbit, consumer_timeout, {ms}).")


def queue_counts(api: Management, name: str) -> tuple[int, int]:
    queue = api.queue(name) or {}
    return queue.get("messages_ready", 0), queue.get("messages_unacknowledged", 0)


def channel_prefetch(api: Management) -> int:
    """The highest prefetch of a channel on the node (Celery sets it for the channel: global QoS)."""
    return max([c.get("global_prefetch_count", 0) or c.get("prefetch_count", 0) for c in api.get("channels")] or [0])


def depth(node: Node, queue: str) -> int | None:
    """Messages ready in a queue of the lesson's node, asked with a passive declare (no lag); None
    when there is no such queue."""
    try:
        with broker.channel(node.amqp_url) as channel:
            return channel.queue_declare(queue, passive=True).method.message_count
    except pika.exceptions.ChannelClosedByBroker:
        return None


def delayed_depths(node: Node) -> dict[str, int]:
    """The celery_delayed_* queues that hold messages now, and how many."""
    found = {}
    with broker.channel(node.amqp_url) as channel:
        for level in range(28):
            count = channel.queue_declare(f"celery_delayed_{level}", passive=True).method.message_count
            if count:
                found[f"celery_delayed_{level}"] = count
    return found


def stored_result(task_id: str) -> dict:
    """The task's result document in the result backend (Redis: celery-task-meta-ID), or {}."""
    stored = redis_client.Redis.from_url(settings.REDIS_URL, socket_timeout=5).get(f"celery-task-meta-{task_id}")
    return json.loads(stored) if stored else {}


def purge(node: Node, queue: str) -> None:
    with broker.channel(node.amqp_url) as channel:
        channel.queue_purge(queue)


def redis_start(story: Story) -> dict:
    """Scene 5 starts first (it needs no RabbitMQ): two workers with Redis as the broker, one with a
    visibility timeout shorter than the countdown, and a reminder for each. Told in scene 5."""
    client = redis_client.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    story.cleanup(lambda: redis_cleanup(client), always=True)
    redis_cleanup(client)
    workers = {}
    for queue, visibility in ((SHORT, SHORT_VISIBILITY), (LONG, 3600)):
        env = {"REDIS_QUEUE": queue, "VISIBILITY_TIMEOUT": str(visibility)}
        workers[queue] = story.start_worker(f"redis-{queue.rpartition('_')[2]}", "redis_tasks", *QUIET_WORKER,
                                            env=env, ready=None, echo=False)
    return {"client": client, "workers": workers}


def redis_cleanup(client) -> None:
    # The two queues (Redis lists) and kombu's records of their bindings (_kombu.binding*.QUEUE).
    keys = [SHORT, LONG, *client.scan_iter("_kombu.binding*lesson30_redis_*")]
    client.delete(*keys)


def redis_send(story: Story, redis_side: dict, *queues: str) -> None:
    for queue in queues:
        worker = redis_side["workers"][queue]
        worker.wait_for(r"\bready\.", timeout=30)
        env = {"REDIS_QUEUE": queue}
        story.run(f"send-{queue.rpartition('_')[2]}", f"{LESSON}.send", "--app", "redis_tasks", "--countdown",
                  str(REDIS_COUNTDOWN), "--name", queue.rpartition("_")[2], env=env, echo=False)


def consumer_prefetch(api: Management, queue: str) -> int | None:
    """The prefetch of the consumer on `queue` (per-consumer QoS), from the management API."""
    found = [c.get("prefetch_count") for c in api.get("consumers") if c["queue"]["name"] == queue]
    return found[0] if found else None


def classic_holds(story: Story, node: Node, env: dict) -> int:
    story.section("1. A classic queue: the worker holds the delayed tasks")
    api = Management(url=node.management_url, vhost="/")
    worker = story.start_worker("worker", "tasks", *QUIET_WORKER, env=env)
    story.run("send", f"{LESSON}.send", "--countdown", str(HELD_COUNTDOWN), "--count", str(HELD),
              "--name", "later", env=env)
    story.run("send-now", f"{LESSON}.send", "--name", "now", env=env)
    if node.install.version().startswith("3."):
        story.check(eventually(lambda: queue_counts(api, CLASSIC) == (0, HELD), timeout=10),
                    f"the management API shows {CLASSIC}: 0 ready, {HELD} unacknowledged: the broker handed all "
                    f"{HELD} over at once and the worker holds them until they are due")
        story.check(eventually(lambda: channel_prefetch(api) == 4 + HELD, timeout=10),
                    f"the worker raised its channel's prefetch (global QoS) from 4 to {4 + HELD}: one more per held task")
        worker.wait_for(r"Reminder: now-1", timeout=10)
        story.check(not worker.matches(r"Reminder: later"), "the task sent for now ran at once; the held ones wait")
    else:
        # RabbitMQ 4.x has no global QoS: kombu 5.6+ sets a per-consumer prefetch, and a raised
        # prefetch only reaches consumers that start later (celery/kombu#2469).
        story.check(eventually(lambda: queue_counts(api, CLASSIC) == (HELD - 4 + 1, 4), timeout=10)
                    and consumer_prefetch(api, CLASSIC) == 4,
                    f"the management API shows {CLASSIC}: 4 unacknowledged (the consumer's prefetch, 4), "
                    f"{HELD - 4 + 1} ready: {HELD - 4} for later and the task for now, behind them")
        story.check(eventually(lambda: channel_prefetch(api) == 8, timeout=10) and not worker.matches(r"Reminder: now-1"),
                    "Celery raised the prefetch to 8, but on 4.x that is the channel's value for consumers started "
                    "later (per-consumer QoS): the running consumer keeps 4, and takes nothing else for "
                    f"{HELD_COUNTDOWN} s, not even the task for now")
    story.say("Restarting the worker (SIGTERM, Celery's warm shutdown) ...")
    worker.interrupt()
    worker.wait(timeout=20)
    story.check(eventually(lambda: queue_counts(api, CLASSIC)[1] == 0 and depth(node, CLASSIC) >= HELD, timeout=10),
                f"the worker is gone: the tasks it held are back in the queue, ready ({depth(node, CLASSIC)} ready, "
                "0 unacknowledged)")
    return depth(node, CLASSIC)


def held_for(worker, received: str) -> float:
    """Seconds from the worker's first line matching `received` to its last line, or to now
    while it still runs."""
    end = time.monotonic() if worker.running else worker.times[-1]
    return end - worker.when(received)


def consumer_timeout_policy(story: Story, node: Node) -> str:
    """A policy giving QPOLICY a consumer timeout of one hour, whatever the node's (RabbitMQ 3.12+).
    Returns '' when the node took it, else its answer."""
    api = Management(url=node.management_url, vhost="/")
    body = {"pattern": f"^{QPOLICY}$", "apply-to": "queues", "definition": {"consumer-timeout": 3600000}}
    story.say(f"  rabbitmqctl -n {node.node} set_policy --apply-to queues lesson30-timeout '^{QPOLICY}$' "
              "'{\"consumer-timeout\": 3600000}'")
    try:
        api.put("policies", "/", "lesson30-timeout", body=body)
    except requests.HTTPError as exc:
        answer = exc.response.json().get("reason", exc.response.text) if exc.response is not None else str(exc)
        return html.unescape(" ".join(str(answer).split()))[:120] or "refused"
    return ""


def cancel_after(worker) -> float:
    """Seconds from worker-3's first delivery to the broker's cancel (0 if there was none)."""
    lost = worker.when(r"Connection to broker lost")
    return lost - worker.when(r"Task quorum_tasks.remind\[.*\] received") if lost else 0.0


def consumer_timeout(story: Story, node: Node, env: dict, total: int) -> None:
    story.section(f"2. The consumer timeout: {CONSUMER_TIMEOUT_MS} ms here (30 minutes by default)")
    api = Management(url=node.management_url, vhost="/")
    version = node.install.version()
    story.say(f"  rabbitmqctl -n {node.node} eval 'application:set_env(rabbit, consumer_timeout, {CONSUMER_TIMEOUT_MS}).'")
    set_consumer_timeout(node, CONSUMER_TIMEOUT_MS)
    classic = story.start_worker("worker-2", "tasks", *QUIET_WORKER, env={**env, "ETA_TASK_LIMIT": str(ETA_LIMIT)},
                                 echo=False)
    direct_env = {**env, "EXCHANGE_TYPE": "direct", "QUORUM_QUEUE": QDIRECT}
    quorum = story.start_worker("worker-3", "quorum_tasks", *QUIET_WORKER, env=direct_env, echo=False)
    story.say(f"Two workers, their logs kept quiet: worker-2 (worker_eta_task_limit = {ETA_LIMIT}) takes the held "
              f"tasks of {CLASSIC} back; worker-3 consumes the quorum queue {QDIRECT} through a direct exchange.")
    policy_refused, guarded = consumer_timeout_policy(story, node), None
    if not policy_refused:
        guarded = story.start_worker("worker-4", "quorum_tasks", *QUIET_WORKER,
                                     env={**env, "EXCHANGE_TYPE": "direct", "QUORUM_QUEUE": QPOLICY}, echo=False)
    # Checked as soon as worker-2 holds its tasks: the consumer timeout ends that a few seconds later.
    # A passive declare shows the ready count at once; the management API's counts lag a second.
    classic.wait_for(r"Task tasks.remind\[.*\] received", timeout=30, count=ETA_LIMIT)
    left = eventually(lambda: depth(node, CLASSIC) == total - ETA_LIMIT, timeout=3)
    story.check(left and classic.count(r"Task tasks.remind\[.*\] received") == ETA_LIMIT,
                f"worker_eta_task_limit = {ETA_LIMIT}: worker-2 took {ETA_LIMIT} and left {total - ETA_LIMIT} in the "
                f"queue (its prefetch stops at {ETA_LIMIT}): less memory, but while it holds {ETA_LIMIT} it takes "
                "nothing else")
    for worker in filter(None, (quorum, guarded)):
        worker.wait_for(r"\bready\.", timeout=30)
    set_consumer_timeout(node, DEFAULT_CONSUMER_TIMEOUT_MS)  # their channels have read the short one
    story.run("send-direct", f"{LESSON}.send", "--app", "quorum_tasks", "--countdown", str(QDIRECT_COUNTDOWN),
              "--name", "direct", env=direct_env, echo=False)
    if guarded:
        story.run("send-policy", f"{LESSON}.send", "--app", "quorum_tasks", "--countdown", str(QDIRECT_COUNTDOWN),
                  "--name", "policy", env={**direct_env, "QUORUM_QUEUE": QPOLICY}, echo=False)
    warning = quorum.matches(r"WARNING/MainProcess\] (Exchange \S+ is a direct exchange[^\n]*)")
    story.check(warning, f"worker-3 logged: '{warning[0].group(1) if warning else ''}' and 'ETA tasks published to "
                         "this exchange will block the worker until the ETA arrives'")
    quorum.wait_for(r"Task quorum_tasks.remind\[.*\] received", timeout=10)
    # Long enough for either broker to act: 3.x checks every second here, 4.3 times each delivery.
    deadline = time.monotonic() + CONSUMER_TIMEOUT_MS / 1000 + 4
    eventually(lambda: quorum.matches(r"ConsumerCancelled|Unrecoverable error"), timeout=deadline - time.monotonic())
    eventually(lambda: not classic.running, timeout=max(0.0, deadline - time.monotonic()))
    closed = classic.matches(r"CRITICAL/MainProcess\] (Unrecoverable error: PreconditionFailed\(406, '[^.]*)")
    if closed:
        classic.wait(timeout=10)
        story.say(f"  worker-2 | {closed[0].group(1)}")
        story.check(classic.returncode != 0,
                    f"RabbitMQ {version} closed worker-2's channel {held_for(classic, 'tasks.remind.*received'):.1f} s "
                    f"after it got the tasks (PRECONDITION_FAILED), and Celery's worker stopped: 'Unrecoverable "
                    f"error', exit code {classic.returncode}")
        story.check(eventually(lambda: queue_counts(api, CLASSIC) == (total, 0), timeout=10),
                    f"the {ETA_LIMIT} tasks it held are back in {CLASSIC} ({total} ready), for the next worker")
    else:
        story.check(classic.running and queue_counts(api, CLASSIC) == (total - ETA_LIMIT, ETA_LIMIT),
                    f"RabbitMQ {version} left worker-2 alone: {ETA_LIMIT} deliveries of the classic queue unacknowledged "
                    f"for {held_for(classic, 'tasks.remind.*received'):.1f} s, longer than the timeout")
    crashed = quorum.matches(r"CRITICAL/MainProcess\] Unrecoverable error: PreconditionFailed")
    if crashed:
        quorum.wait(timeout=10)
        story.check(quorum.returncode != 0 and eventually(lambda: depth(node, QDIRECT) == 1, timeout=10),
                    f"the quorum queue alike: RabbitMQ {version} closed worker-3's channel "
                    f"{held_for(quorum, 'quorum_tasks.remind.*received'):.1f} s after it got its task, worker-3 "
                    f"stopped (exit code {quorum.returncode}), and the task is back in {QDIRECT}")
    else:
        cancelled = quorum.matches(r"Connection to broker lost.*?\((ConsumerCancelled\(.*?'Basic.cancel'\))")
        quorum.wait_for(r"Reminder: direct-1", timeout=QDIRECT_COUNTDOWN + 10)
        story.check(cancelled and quorum.count(r"Reminder: direct-1") == 1
                    and quorum.matches(r"Reminder: direct-1.*\(redelivered\)|received"),
                    f"on the quorum queue RabbitMQ {version} cancelled worker-3's consumer "
                    f"{cancel_after(quorum):.1f} s after the delivery (basic.cancel: "
                    f"'{cancelled[0].group(1)[:45] if cancelled else 'nothing'}...'); Celery took it as "
                    "a lost connection, reconnected, got the task again and ran it once, when due")
    if guarded:
        guarded.wait_for(r"Reminder: policy-1|Unrecoverable error", timeout=QDIRECT_COUNTDOWN + 10)
        if guarded.matches(r"Reminder: policy-1") and not guarded.matches(r"Connection to broker lost|Unrecoverable"):
            story.check(True, f"worker-4's quorum queue {QPOLICY} has a policy with consumer-timeout = 1 h: RabbitMQ "
                              f"{version} left it alone, and it ran its task once, when due")
        else:
            story.check(version.startswith("3."), f"RabbitMQ {version} accepted the consumer-timeout policy on {QPOLICY} "
                                                  "but did not apply it: worker-4 met the 4 s timeout too")
    else:
        story.check(version.startswith("3."), f"RabbitMQ {version} refused a policy with consumer-timeout "
                                              f"({policy_refused}): per-queue timeouts came with 3.12")
    for worker in filter(None, (classic, quorum, guarded)):
        worker.interrupt()
    purge(node, CLASSIC)


def native_delayed(story: Story, node: Node, env: dict, quorum_worker) -> dict:
    story.section("3. A quorum queue and native delayed delivery: the delay lives in the broker")
    api = Management(url=node.management_url, vhost="/")
    worker = quorum_worker
    worker.wait_for(r"\bready\.", timeout=30)
    story.say("A worker of quorum_tasks.py started quietly during the scenes above: "
              + worker.matches(r"Connected to .*")[-1].group(0))
    delayed_queues = [q for q in api.queues() if q["name"].startswith("celery_delayed_")]
    exchanges = [e for e in api.exchanges() if e["name"].startswith("celery_delayed_")]
    story.check(len(delayed_queues) == 28 and len(exchanges) == 29,
                f"the worker declared {len(delayed_queues)} celery_delayed_* quorum queues and {len(exchanges)} "
                "exchanges (levels 27..0, and celery_delayed_delivery)")
    sent = time.monotonic()
    story.run("send", f"{LESSON}.send", "--app", "quorum_tasks", "--countdown", str(DELAY),
              "--count", str(DELAYED), "--name", "later", env=env)
    held = delayed_depths(node)  # at once: the first level they wait in has a TTL of DELAY s
    story.run("send-now", f"{LESSON}.send", "--app", "quorum_tasks", "--name", "now", env=env)
    worker.wait_for(r"Reminder: now-1", timeout=10)
    story.check(not worker.matches(r"Reminder: later") and queue_counts(api, QUORUM)[1] == 0
                and sum(held.values()) == DELAYED,
                f"the task for now ran at once; the {DELAYED} for later wait in the broker "
                f"({', '.join(f'{name}: {count}' for name, count in held.items())}), "
                f"none in the worker ({QUORUM}: 0 unacknowledged)")
    retries = {task: story.run(f"send-{task}", f"{LESSON}.send", "--app", "quorum_tasks", "--task", task,
                               "--name", name, env=env)
               for task, name in (("fetch", "https://example.org"), ("charge", "order-7"))}
    # Tehran's offset, UTC+3:30, written POSIX's way: it needs no time zone database.
    bad = story.run("bad-input", f"{LESSON}.bad_input", env={**env, "TZ": "<+0330>-03:30"})
    worker.wait_for(r"Reminder: later", timeout=DELAY + 10, count=DELAYED)
    late = worker.when(r"Reminder: later", -1) - sent
    story.check(worker.count(r"Reminder: later") == DELAYED,
                f"the {DELAYED} left the broker when due and ran {late:.1f} s after they were sent (countdown {DELAY} s)")

    story.say("What breaks it: a direct exchange (scene 2's worker-3), and a queue no worker declared "
              f"({OTHER}: nothing bound it to celery_delayed_delivery):")
    story.run("send-other", f"{LESSON}.send", "--app", "quorum_tasks", "--countdown", "1", "--name", "other",
              env={**env, "QUORUM_QUEUE": OTHER})
    return {"worker": worker, "retries": retries, "bad": bad, "other_sent": time.monotonic()}


def retries_and_bad_input(story: Story, node: Node, env: dict, quorum: dict) -> None:
    story.section("4. Retries with backoff go through the same delayed queues")
    worker = quorum["worker"]
    worker.wait_for(r"charge\[.*\] raised expected", timeout=20)
    worker.wait_for(r"Task quorum_tasks.fetch\[.*\] succeeded", timeout=10)

    def stamps(pattern):
        return [float(m.group(1)) for m in worker.matches(pattern + r" at ([\d.]+)")]

    def gaps(times):
        return [round(b - a, 1) for a, b in zip(times, times[1:], strict=False)]

    fetch, charge = stamps(r"fetch \S+: attempt \d"), stamps(r"charge \S+: attempt \d")
    story.check(len(fetch) == 3 and all(0.9 <= g <= 2.5 for g in gaps(fetch)),
                f"retry(countdown=1): 3 attempts, {gaps(fetch)} s apart, then it succeeded")
    story.check(len(charge) == 4 and worker.matches(r"charge\[.*\] raised expected: Unavailable")
                and [round(g) for g in gaps(charge)] in ([1, 2, 4], [1, 2, 5], [2, 2, 4], [1, 3, 4]),
                f"autoretry_for + retry_backoff: 4 attempts, {gaps(charge)} s apart (1, 2, 4), then it failed "
                "('raised expected: Unavailable', one line: throws=)")
    results = {task: stored_result(process.matches(r"task (\S+)$")[0].group(1))
               for task, process in quorum["retries"].items()}
    story.check(results["fetch"].get("status") == "SUCCESS" and results["fetch"].get("result") == "https://example.org-1 fetched"
                and results["charge"].get("status") == "FAILURE" and results["charge"].get("result", {}).get(
                    "exc_type") == "Unavailable",
                f"the result backend (Redis) holds fetch: SUCCESS {results['fetch'].get('result')!r}, "
                f"charge: FAILURE {results['charge'].get('result', {}).get('exc_type')}: the retries were one task each")

    story.section("Bad input: three mistakes, one line each")
    bad = quorum["bad"]
    worker.wait_for(r"Reminder: past countdown", timeout=10)
    past = bad.matches(r"countdown=-30: task \S+, eta (\S+),")
    late = datetime.now(timezone.utc) - datetime.fromisoformat(past[0].group(1)) if past else timedelta(0)
    story.check(late >= timedelta(seconds=30) and worker.count(r"Reminder: past countdown") == 1,
                "countdown=-30: published with an eta in the past and run at once (no error)")
    naive = bad.matches(r"naive.*eta (\S+),")
    due = datetime.fromisoformat(naive[0].group(1)) - datetime.now(timezone.utc) if naive else timedelta(0)
    story.check(due > timedelta(hours=3) and not worker.matches(r"Reminder: naive eta"),
                f"a naive eta (local time UTC+3:30, Tehran's): Celery read it as UTC, so it is due in {due.seconds / 3600:.1f} h, not in 5 s")
    expired = bad.matches(r"expires=now\+1s: task (\S+),")
    task_id = expired[0].group(1) if expired else "?"
    worker.wait_for(rf"Discarding revoked task: quorum_tasks.remind\[{task_id}\]", timeout=10)
    story.check(not worker.matches(r"Reminder: expires first"),
                "eta later than expires: the worker logged 'Discarding revoked task' for it (expired) and never ran it")
    # Every delayed queue up to level 12 (4096 s) is empty again: only the naive eta (3.5 h) still waits.
    gone = eventually(lambda: time.monotonic() > quorum["other_sent"] + 2
                      and all(int(name.rpartition("_")[2]) > 12 for name in delayed_depths(node)), timeout=6)
    story.check(gone and depth(node, OTHER) is None and not worker.matches(r"other-1"),
                f"the task for {OTHER}, a queue no worker declared, left the delayed queues when due and was "
                "dropped: the queue does not exist, and the task ran nowhere")


def redis_story(story: Story, redis_side: dict) -> None:
    story.section(f"5. Redis as the broker: a visibility timeout ({SHORT_VISIBILITY} s) shorter than the countdown ({REDIS_COUNTDOWN} s)")
    short, long = redis_side["workers"][SHORT], redis_side["workers"][LONG]
    short.wait_for(r"Reminder: short-1", timeout=15)
    long.wait_for(r"Reminder: long-1", timeout=15)
    wait_until(lambda: short.count(r"Reminder: short-1") >= 2, timeout=5, what="the second run")
    runs = short.count(r"Reminder: short-1")
    for line in short.matches(r"(Reminder: short-1.*|Restoring \d+ unacknowledged.*)") + long.matches(r"Reminder: long-1.*"):
        story.say(f"  redis-{'short' if 'short' in line.group(0) else 'long'} | {line.group(0)}")
    story.check(runs >= 2, f"visibility_timeout {SHORT_VISIBILITY} s: Redis handed the task out again while the worker "
                           f"held it, and it ran {runs} times")
    story.check(long.count(r"Reminder: long-1") == 1, "visibility_timeout 3600 s (Celery's default): it ran once")

    story.section("6. Shutdown with a delayed task held")
    story.run("send-held", f"{LESSON}.send", "--app", "redis_tasks", "--countdown", "60", "--name", "held",
              env={"REDIS_QUEUE": LONG}, echo=False)
    long.wait_for(r"Task redis_tasks.remind\[.*\] received", count=2, timeout=10)
    long.popen.send_signal(signal.SIGQUIT)
    long.wait(timeout=20)
    client = redis_side["client"]
    for line in long.matches(r"(Initiating Soft Shutdown.*|Restoring \d+ unacknowledged.*)"):
        story.say(f"  redis-long | {line.group(0)}")
    story.check(long.matches(r"Initiating Soft Shutdown") and long.matches(r"Restoring 1 unacknowledged")
                and client.llen(LONG) == 1,
                "cold shutdown (SIGQUIT) with soft shutdown on idle: the worker waited, then gave the held task "
                "back to Redis (it is in the queue again)")

def serve(story: Story) -> None:
    node = start_node(story)
    folder = Path(__file__).parent.relative_to(Path(__file__).parents[2])
    story.say(f"\nThe node runs. In other terminals, in {folder}:\n"
              f"  export AMQP_URL='{node.amqp_url}'\n"
              "  celery -A tasks worker --loglevel INFO --concurrency 1\n"
              "  python send.py --countdown 60 --count 5\n"
              f"Management UI: http://127.0.0.1:{node.management_port} (course/course). Ctrl+C stops the node.")
    while True:
        time.sleep(3600)


def main_story(story: Story) -> None:
    if story.options.serve:
        serve(story)
    redis_side = redis_start(story)
    node = start_node(story)
    env = {"AMQP_URL": node.amqp_url}
    redis_send(story, redis_side, SHORT)
    # Scene 3's worker starts now, quietly: it declares its 28 delayed queues meanwhile.
    quorum_worker = story.start_worker("q-worker", "quorum_tasks", *QUIET_WORKER, env=env, ready=None)
    with quorum_worker.quiet():  # its banner would land in the middle of scenes 1 and 2
        total = classic_holds(story, node, env)
        consumer_timeout(story, node, env, total)
    # The short visibility timeout is shown; its worker goes before the other one gets its task:
    # the unacked tasks of all workers on a Redis database are in one place (see the README).
    redis_side["workers"][SHORT].interrupt()
    redis_send(story, redis_side, LONG)
    quorum = native_delayed(story, node, env, quorum_worker)
    retries_and_bad_input(story, node, env, quorum)
    redis_story(story, redis_side)
    quorum["worker"].interrupt()
    node.stop()


def _options(parser):
    parser.add_argument("--serve", action="store_true", help="only start the lesson's node and wait")


def main(argv=None) -> int:
    with Story(30, argv, options=_options) as story:
        main_story(story)
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
