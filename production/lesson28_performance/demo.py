"""Lesson 28's story in one terminal: measure, then tune. One benchmark, many setups, one table.

    make lesson-28                     the demo scale (about a minute)
    make lesson-28 ARGS=--full         ten times more messages and tasks (several minutes)
    make lesson-28 ARGS="--chart performance.png"   write the chart there

The pika part runs `benchmark.py pika` once. The Celery part starts a worker (the lesson's
`worker` role with other options or settings) for each setup, runs `benchmark.py celery`
against it and stops it before the next one, so two setups never share the machine. The table,
a chart and the ratios that must hold on any machine end the story.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lessons import broker, settings
from lessons.management import Management
from lessons.story import Story, wait_until

LESSON = "production.lesson28_performance"
TASKS_QUEUE, QUEUES = "lesson28_tasks", ["lesson28_tasks", "lesson28_classic", "lesson28_quorum"]
RESULT = re.compile(r"\[\.\] (?P<label>.+): (?P<count>\d+) (?P<unit>msgs|tasks|items) in "
                    r"(?P<seconds>[\d.]+) s = (?P<rate>\d+) \w+/s")
QUIET = ("--without-gossip", "--without-mingle", "--without-heartbeat")
TUNED_WORKER = ("-P", "solo", "--prefetch-multiplier", "256", *QUIET, "--loglevel", "WARNING")
TUNED_ENV = {"IGNORE_RESULT": "1", "TASK_SERIALIZER": "msgpack", "DELIVERY_MODE": "transient",
             "DISABLE_RATE_LIMITS": "1"}
WORKER_SETTINGS = ("RESULTS", "ACKS_LATE", "DISABLE_RATE_LIMITS")  # read by the worker


@dataclass(frozen=True)
class Setup:
    label: str
    worker: tuple[str, ...] = ()  # options added to `celery -A tasks worker --loglevel INFO`
    env: dict = field(default_factory=dict)  # tasks.py's settings, for the worker and the client
    client: tuple[str, ...] = ()  # how benchmark.py sends them (--chunks 100, --group)
    scale: str = "tasks"  # which count: "tasks", "tuned" or "chunks"

    def worker_key(self):
        return self.worker, tuple(sorted((k, v) for k, v in self.env.items() if k in WORKER_SETTINGS))


SETUPS = [
    Setup("celery, default setup (prefork, results in Redis)"),
    Setup("celery, ignore_result (no result backend used)", env={"IGNORE_RESULT": "1"}),
    Setup("celery, msgpack instead of JSON", env={"TASK_SERIALIZER": "msgpack"}),
    Setup("celery, transient task messages", env={"DELIVERY_MODE": "transient"}),
    Setup("celery, one group", client=("--group",)),
    Setup("celery, chunks of 100", client=("--chunks", "100"), scale="chunks"),
    Setup("celery, result backend rpc://", env={"RESULTS": "rpc"}),
    Setup("celery, prefetch multiplier 64", worker=("--prefetch-multiplier", "64")),
    Setup("celery, acks_late", env={"ACKS_LATE": "1"}),
    Setup("celery, worker_disable_rate_limits", env={"DISABLE_RATE_LIMITS": "1"}),
    Setup("celery, without gossip, mingle, heartbeat", worker=QUIET),
    Setup("celery, pool threads", worker=("-P", "threads")),
    Setup("celery, pool solo", worker=("-P", "solo")),
    Setup("celery, pool gevent -c 100 (no gossip, heartbeat)", worker=("-P", "gevent", "-c", "100", *QUIET)),
    Setup("celery, prefork --concurrency 4", worker=("--concurrency", "4")),
    Setup("celery, tuned: all of the above that help", worker=TUNED_WORKER, env=TUNED_ENV, scale="tuned"),
    Setup("celery, tuned + chunks of 100", worker=TUNED_WORKER, env=TUNED_ENV,
          client=("--chunks", "100"), scale="chunks"),
]
DEFAULT, TUNED_CHUNKS = SETUPS[0].label, SETUPS[-1].label


def consumers(queue: str) -> int:
    try:
        with broker.channel() as channel:
            return channel.queue_declare(queue=queue, passive=True).method.consumer_count
    except Exception:  # not declared yet
        return 0


def wake(worker: str) -> None:
    """Ping a worker that was told to stop. One started --without-heartbeat, with nothing to do,
    sleeps until its next timer (up to 10 s) before it sees the signal; a message wakes it."""
    from celery import Celery

    with Celery(broker=settings.AMQP_URL) as app:
        app.control.ping(destination=[worker], timeout=0.2)


def measure_pika(story: Story, messages: int, results: dict) -> None:
    story.section(f"pika: publish and consume ({messages} messages a measurement)")
    bench = story.run("benchmark", f"{LESSON}.benchmark", "pika", "--messages", str(messages),
                      timeout=900)
    for match in RESULT.finditer(bench.output):
        results[match["label"]] = match


def measure_celery(story: Story, counts: dict, results: dict) -> None:
    story.section("Celery: tiny tasks end to end, one worker setup at a time")
    story.say("Each line: a worker started with that one change (or the client sending that way), "
              "the tasks sent, the time until the last one ran.")
    worker, key = None, None
    for number, setup in enumerate(SETUPS, 1):
        if setup.worker_key() != key:
            # The next worker starts while the last one shuts down (seconds saved; each has a
            # name of its own, as two live workers must); the measurement begins once the last
            # one is gone and the new one consumes.
            previous = worker
            if previous is not None:
                previous.interrupt()
                wake(f"bench{number - 1}@{socket.gethostname()}")
            worker = story.start_role("worker", "worker", "--hostname", f"bench{number}@%h", *setup.worker,
                                      env=setup.env, echo=False)
            if previous is not None:
                previous.stop(grace=15.0)
            wait_until(lambda w=worker: consumers(TASKS_QUEUE) >= 1 or not w.running, timeout=60,
                       what="the worker to consume lesson28_tasks")
            if not worker.running:
                raise RuntimeError(f"the worker for '{setup.label}' stopped:\n{worker.tail()}")
            key = setup.worker_key()
        bench = story.run("benchmark", f"{LESSON}.benchmark", "celery", "--tasks",
                          str(counts[setup.scale]), "--label", setup.label, *setup.client,
                          env=setup.env, timeout=600)
        for match in RESULT.finditer(bench.output):
            results[match["label"]] = match
    worker.interrupt()  # it stops while the table and the chart are made
    wake(f"bench{len(SETUPS)}@{socket.gethostname()}")


def write_chart(path: Path, rows: list[tuple[str, float, str]], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pika_rows = [row for row in rows if not row[0].startswith("celery")]
    celery_rows = [row for row in rows if row[0].startswith("celery")]
    parts = [(part, colour, unit) for part, colour, unit in [
        (pika_rows, "tab:orange", "messages/s"), (celery_rows, "tab:green", "tasks/s (chunks: items/s)")] if part]
    fig, axes = plt.subplots(len(parts), 1, figsize=(10, 1.5 + 0.3 * len(rows)), squeeze=False,
                             height_ratios=[len(part) for part, _, _ in parts])
    axes = axes[:, 0]
    for ax, (part, colour, unit) in zip(axes, parts, strict=True):
        labels = [label.removeprefix("celery, ") for label, _, _ in part][::-1]
        rates = [rate for _, rate, _ in part][::-1]
        bars = ax.barh(labels, rates, color=colour)
        ax.set_xscale("log")
        ax.set_xlabel(f"{unit}, log scale")
        ax.bar_label(bars, labels=[f"{rate:,.0f}" for rate in rates], padding=3, fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlim(right=max(rates) * 4)
    axes[0].set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _options(parser):
    parser.add_argument("--full", action="store_true", help="ten times the messages and tasks")
    parser.add_argument("--chart", type=Path, default=Path(tempfile.gettempdir()) / "lesson28_performance.png",
                        help="where to write the chart (PNG)")
    parser.add_argument("--only", choices=("pika", "celery"),
                        help="measure only pika's messages or only Celery's tasks (about half the time)")


def main(argv=None) -> int:
    with Story(28, argv, options=_options) as story:
        options = story.options
        scale = 10 if options.full else 1
        messages = 5000 * scale
        counts = {"tasks": 200 * scale, "tuned": 2000 * scale, "chunks": 10000 * scale}
        story.start_fresh(queues=QUEUES, exchanges=[TASKS_QUEUE])
        version = Management().overview()["rabbitmq_version"]
        load = os.getloadavg()[0]
        machine = (f"{os.cpu_count()} cores, load average {load:.1f}, RabbitMQ {version}, "
                   f"Python {sys.version.split()[0]}, {'--full' if options.full else 'demo'} scale")
        story.say(f"Measured here: {machine}.")
        results: dict = {}
        if options.only != "celery":
            measure_pika(story, messages, results)
        if options.only != "pika":
            measure_celery(story, counts, results)

        story.section("The table")
        rows = [(label, int(m["rate"]), m["unit"]) for label, m in results.items()]
        story.say(f"{'measurement':<55} {'count':>11} {'seconds':>7} {'per second':>10}")
        for label, m in results.items():
            story.say(f"{label:<55} {m['count'] + ' ' + m['unit']:>11} {m['seconds']:>7} "
                      f"{int(m['rate']):>10,}")
        write_chart(options.chart, rows, f"Lesson 28: {machine}")
        story.say(f"Chart written to {options.chart}")

        def rate(label):
            return int(results[label]["rate"]) if label in results else 0

        expected = {None: 15 + len(SETUPS), "pika": 15, "celery": len(SETUPS)}[options.only]  # 15 pika measurements
        story.check(len(results) == expected, f"all {expected} measurements ran and reported a rate")
        if options.only != "celery":
            one_by_one = rate("publish, classic, persistent, confirms one by one")
            asynchronous = rate("publish, classic, persistent, async confirms")
            story.check(asynchronous >= 2 * one_by_one,
                        f"persistent messages: async confirms {asynchronous:,} msg/s, at least 2 times "
                        f"one by one {one_by_one:,} msg/s ({asynchronous / max(one_by_one, 1):.1f}x)")
            slow = rate("consume, classic, prefetch 1, one ack each")
            fast = rate("consume, classic, prefetch 100, one ack each")
            story.check(slow < fast, f"consuming tiny messages: prefetch 1 {slow:,} msg/s, slower than "
                                     f"prefetch 100 {fast:,} msg/s ({fast / max(slow, 1):.1f}x)")
        if options.only != "pika":
            default, tuned = rate(DEFAULT), rate(TUNED_CHUNKS)
            story.check(tuned >= 10 * default,
                        f"tiny tasks: tuned + chunks {tuned:,} items/s, at least 10 times the default "
                        f"setup's {default:,} tasks/s ({tuned / max(default, 1):.0f}x)")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
