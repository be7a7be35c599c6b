"""scripts/rabbitmq4.sh, the 4.x node beside the machine's own: safe to repeat, clear about taken
ports, and Ctrl+C during `run` leaves no node behind. A node of the test's own name and ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess

import pytest
from helpers import ROOT, read_until

from lessons.nodes import RABBITMQ4_ROOT, registered_nodes

SCRIPT = ROOT / "scripts" / "rabbitmq4.sh"
NAME = "course-script-test"
PORTS = {"RABBITMQ4_AMQP_PORT": "5679", "RABBITMQ4_MANAGEMENT_PORT": "15679", "RABBITMQ4_DIST_PORT": "25679"}
ENV = {**os.environ, "RABBITMQ4_NODE": f"{NAME}@localhost", **PORTS}

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not (RABBITMQ4_ROOT / "usr/lib/rabbitmq/bin/rabbitmq-server").exists(),
    reason="needs root and the 4.x chroot ('sh scripts/rabbitmq4.sh build'); CI has both",
)


def script(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(SCRIPT), *args], env=env or ENV, capture_output=True,
                          text=True, timeout=timeout)


def test_a_taken_port_is_named_in_one_sentence():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", int(PORTS["RABBITMQ4_AMQP_PORT"])))
        holder.listen()
        result = script("start")
    assert result.returncode != 0
    assert "port 5679 is already taken" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert NAME not in registered_nodes()


def test_run_then_start_again_then_ctrl_c_leaves_no_node_and_stop_twice_does_no_harm():
    """One node boot for the whole life cycle (a boot costs 10 s idle, up to a minute with CI's
    two legs at once): `run` starts it, `start` finds it running, Ctrl+C during `run` stops it,
    and `stop` afterwards, twice, has nothing to do and says so without a traceback."""
    others_running = bool(set(registered_nodes()) - {"rabbit", NAME})
    process = subprocess.Popen(["sh", str(SCRIPT), "run", "sleep", "60"], env=ENV, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        read_until(process, "is up", timeout=90)
        assert NAME in registered_nodes()
        again = script("start")
        assert again.returncode == 0 and "already running" in again.stdout, again.stdout + again.stderr
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl+C in the terminal sends
        process.wait(timeout=180)  # the node stops (rabbitmqctl stop, at most 60 s) before it exits
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            script("stop")
    assert NAME not in registered_nodes()
    if others_running:  # other nodes from the chroot (the 4.x leg's, a lesson's) keep their /proc
        assert os.path.ismount(RABBITMQ4_ROOT / "proc")
    for _ in range(2):
        stopped = script("stop")
        assert stopped.returncode == 0 and "Traceback" not in stopped.stderr
