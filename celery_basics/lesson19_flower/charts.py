"""Lesson 19, charts: draw Flower's numbers with matplotlib, since Flower has no graphs page.

    python charts.py --out /tmp/lesson19_charts

Three PNG files: the task runtime histogram (from /metrics, the buckets Prometheus would
scrape), tasks per state and throughput over time (both from /api/tasks).
"""

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # draw to files; no window, no display needed
import matplotlib.pyplot as plt  # noqa: E402

import flower_api  # noqa: E402

DEFAULT_FOLDER = Path(tempfile.gettempdir()) / "lesson19_charts"
STATE_COLOURS = {"SUCCESS": "#2e7d32", "FAILURE": "#c62828", "RETRY": "#ef6c00",
                 "STARTED": "#1565c0", "RECEIVED": "#6a1b9a", "PENDING": "#757575"}


def runtime_histogram(metrics, path):
    """Tasks per runtime bucket, stacked by task name, from flower_task_runtime_seconds_bucket."""
    cumulative = defaultdict(Counter)  # task -> {upper bound: tasks that ran at most that long}
    for name, labels, value in metrics:
        if name == "flower_task_runtime_seconds_bucket":
            cumulative[labels["task"]][float(labels["le"])] += value
    bounds = sorted({le for counts in cumulative.values() for le in counts})
    labels = [f"≤{le:g}s" if le != float("inf") else "more" for le in bounds]
    fig, ax = plt.subplots(figsize=(8, 4))
    bottom = [0.0] * len(bounds)
    for task, counts in sorted(cumulative.items()):
        per_bucket = [counts[le] - (counts[bounds[i - 1]] if i else 0) for i, le in enumerate(bounds)]
        ax.bar(labels, per_bucket, bottom=bottom, label=task)
        bottom = [b + n for b, n in zip(bottom, per_bucket, strict=True)]
    ax.set_title("Task runtime histogram (flower_task_runtime_seconds)")
    ax.set_xlabel("runtime bucket")
    ax.set_ylabel("tasks")
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def states_chart(tasks, path):
    """How many tasks ended in each state, from /api/tasks."""
    states = Counter(task["state"] for task in tasks.values())
    names = sorted(states)
    fig, ax = plt.subplots(figsize=(6, 4))
    bars = ax.bar(names, [states[s] for s in names], color=[STATE_COLOURS.get(s, "#455a64") for s in names])
    ax.bar_label(bars)
    ax.set_title(f"Tasks per state ({len(tasks)} tasks)")
    ax.set_ylabel("tasks")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def throughput_chart(tasks, path, bin_seconds=None):
    """Tasks received and finished per time slice, from the timestamps in /api/tasks."""
    received = [t["received"] for t in tasks.values() if t.get("received")]
    finished = [t.get("succeeded") or t.get("failed") for t in tasks.values()]
    finished = [f for f in finished if f]
    start = min(received + finished)
    end = max(received + finished)
    if bin_seconds is None:  # about 20 slices, in steps of 0.1 s at least
        bin_seconds = max(0.1, round((end - start) / 20, 1))
    slices = int((end - start) / bin_seconds) + 1
    edges = [i * bin_seconds for i in range(slices + 1)]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.hist([r - start for r in received], bins=edges, alpha=0.6, label="received")
    ax.hist([f - start for f in finished], bins=edges, alpha=0.6, label="finished (succeeded or failed)")
    ax.set_title(f"Throughput over time (tasks per {bin_seconds:g} s)")
    ax.set_xlabel("seconds since the first task was received")
    ax.set_ylabel("tasks")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def draw(tasks, metrics, folder):
    """Draw the three charts into `folder`; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "runtime_histogram.png", folder / "tasks_per_state.png", folder / "throughput.png"]
    runtime_histogram(metrics, paths[0])
    states_chart(tasks, paths[1])
    throughput_chart(tasks, paths[2])
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description="Draw charts from a running Flower's API and metrics.")
    parser.add_argument("--out", type=Path, default=DEFAULT_FOLDER, help="folder for the PNG files")
    args = parser.parse_args(argv)

    tasks = flower_api.tasks()
    if not tasks:
        print(" [!] Flower has no tasks yet: run some first (for example the client role).")
        return 1
    for path in draw(tasks, flower_api.metrics(), args.out):
        print(f" [x] Wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
