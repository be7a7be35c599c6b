"""Lesson 26 end to end, on a node of its own: alarms, length limits, consumer timeout,
heartbeats, a Celery worker that reconnects; the shared broker is left as it was; Ctrl+C stops
the node."""

import glob
import re
import signal

import psutil
import pytest
from helpers import ROOT, assert_clean_run, read_until, run_lesson, start_lesson
from shared_broker import assert_unchanged, settings

from lessons.management import Management
from lessons.nodes import RABBITMQ4_ROOT, registered_nodes
from lessons.waiting import eventually

NODE = "l26"
FOLDER = ROOT / "production" / "lesson26_pressure"


def lesson_processes() -> list[str]:
    found = []
    for process in psutil.process_iter(["cmdline", "cwd"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        # Roles run in the lesson's folder (the Celery worker's command line does not name it).
        here = "production.lesson26_pressure" in cmdline or process.info["cwd"] == str(FOLDER)
        if here and "pytest" not in cmdline:
            found.append(cmdline)
    return found


def leftover_folders() -> list[str]:
    return glob.glob(f"/tmp/course-{NODE}-*") + glob.glob(f"{RABBITMQ4_ROOT}/tmp/course-{NODE}-*")


@pytest.mark.timeout(300)
def test_demo_tells_and_checks_the_story():
    before = settings()
    out = assert_clean_run(run_lesson(26, timeout=240))
    version = Management().overview()["rabbitmq_version"]
    assert "pika called the publishers' blocked callback: 'low on memory'" in out
    assert re.search(r"consumer \|\s+\[x\] Received 'backlog-5'", out)
    assert re.search(r"impatient \|\s+\[!\] Gave up", out)
    assert "the publisher is blocked: 'low on disk'" in out
    assert re.search(r"reject \|\s+\[!\] Sent 'msg-4': NACKED", out)
    assert re.search(r"drop-head \|\s+\[\.\] Dead-lettered: msg-1 \(maxlen\), msg-2 \(maxlen\)", out)
    # The consumer timeout: 3.x (and 4.0-4.2) close the channel, 4.3 cancels the consumer.
    if version.startswith("3."):
        assert "it closed the channel (PRECONDITION_FAILED)" in out
    else:
        assert "it cancelled the consumer (basic.cancel)" in out
    assert re.search(r"block \|\s+\[!\] Lost the connection", out)
    assert re.search(r"worker \|.*Connection to broker lost", out)
    assert re.search(r"worker \|.*Building the report, 3 s \(redelivered\)", out)
    # Nothing outlives the demo: its node, its folder, its processes; the shared broker is as it was.
    assert eventually(lambda: NODE not in registered_nodes(), timeout=15)
    assert leftover_folders() == []
    assert lesson_processes() == []
    assert_unchanged(before)


@pytest.mark.timeout(180)
def test_ctrl_c_while_the_node_starts_stops_it():
    before = settings()
    demo = start_lesson(26)
    read_until(demo, "Starting RabbitMQ node", timeout=60)
    demo.send_signal(signal.SIGINT)
    out, _ = demo.communicate(timeout=90)
    assert demo.returncode == 130, out
    assert "Interrupted. Stopping everything this demo started" in out
    assert "Traceback" not in out
    assert eventually(lambda: NODE not in registered_nodes(), timeout=30), registered_nodes()
    assert leftover_folders() == []
    assert lesson_processes() == []
    assert_unchanged(before)
