"""Lesson 28 end to end: the benchmark at the demo scale on the real broker, its table, its
chart and the ratios that must hold on any machine; Ctrl+C in the middle leaves nothing behind."""

import re

import pytest
from helpers import assert_clean_run, interrupt_at, run_lesson, sandbox_processes, start_lesson

from lessons.waiting import eventually

ROW = re.compile(r"^(?P<label>(?:publish|consume|celery), .+?)\s+(?P<count>\d+) (?P<unit>msgs|tasks|items)"
                 r"\s+(?P<seconds>[\d.]+)\s+(?P<rate>[\d,]+)$", re.MULTILINE)


def lesson_queues(management) -> list[str]:
    return [queue["name"] for queue in management.queues() if queue["name"].startswith("lesson28")]


def table(out: str) -> dict[str, int]:
    """The demo's table: measurement -> rate per second."""
    return {m["label"]: int(m["rate"].replace(",", "")) for m in ROW.finditer(out.split("--- The table ---")[1])}


@pytest.mark.timeout(400)
def test_demo_measures_prints_the_table_and_checks_the_ratios(management, tmp_path):
    chart = tmp_path / "chart.png"
    out = assert_clean_run(run_lesson(28, "--chart", str(chart), timeout=360))
    rates = table(out)
    assert len(rates) == 32, rates
    assert all(rate > 0 for rate in rates.values())
    # The three claims, recomputed from the table (the demo checked them too).
    assert rates["publish, classic, persistent, async confirms"] >= 2 * rates["publish, classic, persistent, confirms one by one"]
    assert rates["celery, tuned + chunks of 100"] >= 10 * rates["celery, default setup (prefork, results in Redis)"]
    assert rates["consume, classic, prefetch 1, one ack each"] < rates["consume, classic, prefetch 100, one ack each"]
    assert "All 4 facts hold." in out
    assert re.search(r"Measured here: \d+ cores, load average [\d.]+, RabbitMQ \d", out)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 20_000
    print("\n".join(f"{label}: {rate}/s" for label, rate in rates.items()))
    # Nothing left: the lesson's queues are deleted, no worker nor benchmark outlives the demo.
    assert lesson_queues(management) == []
    assert sandbox_processes() == []


@pytest.mark.timeout(180)
@pytest.mark.either_broker
def test_ctrl_c_in_the_middle_of_the_celery_part_leaves_no_worker_and_no_queue(management):
    demo = start_lesson(28, "--only", "celery")  # the pika part has no worker to leave behind
    out = interrupt_at(demo, "celery, default setup", timeout=120)
    assert demo.returncode == 130, out
    assert "Interrupted. Stopping everything this demo started" in out
    assert "Traceback" not in out
    assert eventually(lambda: sandbox_processes() == [], timeout=30), sandbox_processes()
    assert eventually(lambda: lesson_queues(management) == [], timeout=10), lesson_queues(management)
