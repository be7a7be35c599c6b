"""Lesson 25 end to end: three nodes of the lesson's own, a quorum queue, the leader's node stopped,
a majority lost and regained, HAProxy in front of the nodes for the Celery worker; then the trouble:
ports taken, Ctrl+C, no haproxy; haproxy.cfg in front of the course's broker, and the compose profile."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from helpers import (
    ROOT,
    assert_clean_run,
    end_demo,
    lesson_processes,
    read_until,
    run_lesson,
    start_lesson,
)

from lessons import nodes, settings
from lessons.waiting import eventually, wait_until

FOLDER = ROOT / "production" / "lesson25_cluster"
PREFIX = "l25n"
FRONT = 5685  # the one address the demo puts in front of its nodes


def lesson_nodes() -> list[str]:
    """The lesson's nodes still registered with epmd (none may outlive a run)."""
    return [name for name in nodes.registered_nodes() if name.startswith(PREFIX)]


def lesson_folders() -> list[Path]:
    places = [Path("/tmp"), nodes.RABBITMQ4_ROOT / "tmp"]
    return [folder for place in places if place.is_dir() for folder in place.glob(f"course-{PREFIX}*")]


@pytest.mark.timeout(600)
def test_demo_tells_and_checks_the_story(management):
    course_nodes = [node["name"] for node in management.get("nodes")]
    started = time.monotonic()
    out = assert_clean_run(run_lesson(25, timeout=540))
    elapsed = time.monotonic() - started
    assert re.search(r"\[ok\] 3 separate nodes accept AMQP connections \(they took [\d.]+ s to start\)", out)
    assert "[ok] cluster_status on l25n1 lists 3 running nodes: l25n1, l25n2, l25n3" in out
    assert "[ok] 'orders' is a quorum queue with 3 replicas (RabbitMQ's default size, quorum_cluster_size)" in out
    spread = re.search(r"\[ok\] the (\d+) quorum queues .* spread by queue_leader_locator = balanced: "
                       r"l25n1 leads (\d+), l25n2 leads (\d+), l25n3 leads (\d+)", out)
    assert spread and all(int(count) > 0 for count in spread.groups()[1:]), "leaders on every node"
    # Celery's native delayed delivery: tasks for later wait in the broker, the next task runs.
    assert re.search(r"\[ok\] the task sent after 3 tasks for in 10 minutes is SUCCESS in the result backend, "
                     r"while those 3 wait in the celery_delayed_\* queues \(3 messages, management API\)", out)
    assert "[ok] Celery's native delayed delivery is set up: 28 celery_delayed_* quorum queues and 29 topic" in out
    assert "[ok] neither the worker's log nor the client's has a 'direct exchange' warning" in out
    assert "is a direct exchange" not in out
    assert re.search(r"\[ok\] a new leader took over [\d.]+ s after the stop: l25n[123]", out)
    assert "[ok] no confirmed order was lost: 100 confirmed, 100 distinct orders handled" in out
    assert "[ok] Celery: all 16 tasks completed" in out
    # The worker knows one address (HAProxy), so it never retries a dead node; where its connection
    # is, the broker says (/api/consumers), before and after the stop.
    assert "Connected to amqp://course:**@127.0.0.1:5685//" in out
    before = re.search(r"\[ok\] the broker says the worker consumes 'lesson25_tasks' through (l25n[123]) "
                       r"\(/api/consumers", out)
    after = re.search(r"\[ok\] the worker reconnected to the same address, and the broker says it consumes "
                      r"'lesson25_tasks' through (l25n[123]) now, a live node \(it was (l25n[123])\); it took "
                      r"tasks again [\d.]+ s after it lost its node", out)
    stopped = re.search(r"--- Stop (l25n[123]), the leader of 'orders'", out)
    assert before and after and stopped, out
    assert before[1] == after[2] == stopped[1] != after[1], "the worker moved off the stopped node"
    # HAProxy's own health check saw the node go (its log line), and it ran with haproxy.cfg.
    assert "$ haproxy -db -f haproxy.cfg" in out
    assert re.search(r"haproxy \| .*Server rabbitmq/rabbit1 is DOWN", out)
    assert "Retrying delayed delivery" not in out
    assert "[ok] the classic queue 'invoices' is gone with its node" in out and "404 NOT_FOUND" in out
    assert "is not confirmed after 6 s: one replica of three is no majority" in out
    assert "[ok] 'orders' works again: it holds order-101" in out
    # Nothing outlives the demo, and the course's own broker is still alone and unchanged.
    assert lesson_nodes() == [] and lesson_folders() == [] and not nodes.port_taken(FRONT)
    assert lesson_processes() == []
    assert [node["name"] for node in management.get("nodes")] == course_nodes
    timings = {key: re.search(pattern, out).group(1) for key, pattern in (
        ("start", r"they took ([\d.]+) s to start"), ("join", r"joined in ([\d.]+) s"),
        ("leader", r"new leader took over ([\d.]+) s"), ("celery", r"took tasks again ([\d.]+) s"),
        ("demo", r"facts hold\. \(([\d.]+) s\)"))}
    print(f"lesson 25 timings (s): {timings}, whole run {elapsed:.1f}")  # reported, not asserted


def test_ports_already_taken_are_named_in_one_sentence():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 5682))
        holder.listen()
        result = run_lesson(25, timeout=120)
    out = result.stdout
    assert result.returncode == 1, out
    assert "Traceback" not in out
    assert "Port 5682 (wanted by l25n2@localhost) is already taken on 127.0.0.1" in out
    assert lesson_nodes() == [] and lesson_folders() == []


def test_the_front_port_taken_is_named_in_one_sentence():
    with socket.socket() as holder:
        # SO_REUSEADDR: a run before this one (HAProxy) may leave connections to 5685 in TIME_WAIT.
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", FRONT))
        holder.listen()
        result = run_lesson(25, timeout=120)
    out = result.stdout
    assert result.returncode == 1 and "Traceback" not in out, out
    assert f"Port {FRONT} (the address the lesson puts in front of its nodes) is already taken" in out
    assert lesson_nodes() == [] and lesson_folders() == []


@pytest.mark.timeout(400)
def test_ctrl_c_while_the_nodes_join_stops_every_node():
    """Interrupted with rabbitmqctl calls in flight, on each broker's nodes. (A role interrupted
    while it still imports its modules: tests/test_runner.py, for every lesson at once.)"""
    demo = start_lesson(25)
    try:
        read_until(demo, "--- Join them into one cluster", timeout=180)
        assert len(lesson_nodes()) == 3, "the three nodes run"
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=90)
    finally:
        if demo.poll() is None:
            end_demo(demo)
    assert demo.returncode == 130, rest
    assert "Interrupted. Stopping everything this demo started" in rest and "Traceback" not in rest
    assert lesson_nodes() == [] and lesson_folders() == [] and not nodes.port_taken(FRONT)
    assert lesson_processes() == []


@pytest.mark.either_broker
def test_without_a_local_install_it_says_how_to_use_the_compose_cluster():
    env = {"PATH": "/usr/bin:/bin", "RABBITMQ4_DIR": "/nonexistent"}  # no rabbitmq-server, no chroot
    result = run_lesson(25, timeout=60, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stdout
    assert "docker compose --profile cluster up -d --wait" in result.stdout


def test_compose_cluster_profile_has_the_course_image_one_cookie_and_the_node_list():
    """The `cluster` profile of the course's docker-compose.yml (no Docker engine here: its shape)."""
    stack = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = {name: s for name, s in stack["services"].items() if "cluster" in s.get("profiles", [])}
    assert sorted(services) == ["haproxy", "rabbit1", "rabbit2", "rabbit3"]
    assert all(s["profiles"] == ["cluster"] for s in services.values()), "only in the cluster profile"
    services.pop("haproxy")  # in front of the nodes: the next test
    assert {s["image"] for s in services.values()} == {stack["services"]["rabbitmq"]["image"]}
    cookies = {s["environment"]["RABBITMQ_ERLANG_COOKIE"] for s in services.values()}
    assert len(cookies) == 1 and cookies.pop(), "one Erlang cookie for every node"
    users = {(s["environment"]["RABBITMQ_DEFAULT_USER"], s["environment"]["RABBITMQ_DEFAULT_PASS"])
             for s in services.values()}
    broker = stack["services"]["rabbitmq"]["environment"]
    assert users == {(broker["RABBITMQ_DEFAULT_USER"], broker["RABBITMQ_DEFAULT_PASS"])}, "the course's user"
    conf = (FOLDER / "cluster.conf").read_text()
    assert re.search(r"^cluster_formation\.peer_discovery_backend = classic_config$", conf, re.M)
    listed = re.findall(r"^cluster_formation\.classic_config\.nodes\.\d+ = (\S+)$", conf, re.M)
    assert listed == [f"rabbit@{s['hostname']}" for s in services.values()]
    mount = "./production/lesson25_cluster/cluster.conf:/etc/rabbitmq/conf.d/"
    for name, service in services.items():
        assert any(v.startswith(mount) for v in service["volumes"]), name
        assert (ROOT / mount.split(":")[0]).is_file()
        assert service["healthcheck"]["test"][-1] == "check_port_connectivity"
        assert all(port.startswith("127.0.0.1:") for port in service["ports"]), name
        if name != "rabbit1":
            assert service["depends_on"] == {"rabbit1": {"condition": "service_healthy"}}
    # Ports of their own: none is published twice in the whole stack.
    host_ports = [int(port.split(":")[1]) for s in stack["services"].values() for port in s.get("ports", [])]
    assert len(host_ports) == len(set(host_ports))
    # The roles' default CLUSTER_URLS point at the ports the profile publishes.
    published = [int(s["ports"][0].split(":")[1]) for s in services.values()]
    assert "CLUSTER_URLS" not in os.environ
    for role in ("producer", "consumer", "tasks"):
        text = (FOLDER / f"{role}.py").read_text()
        default = re.search(r'os\.environ\.get\(\s*"CLUSTER_URLS",\s*((?:"[^"]*"\s*)+),?\s*\)', text)[1]
        assert [int(port) for port in re.findall(r"127\.0\.0\.1:(\d+)/%2F", default)] == published, role


def test_compose_cluster_profile_puts_haproxy_in_front_of_its_nodes():
    """The profile's haproxy service: the official image of the minor Debian 12 ships, the lesson's
    one haproxy.cfg with the nodes' service names from the environment, 127.0.0.1:5685, after the
    nodes are healthy."""
    stack = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    proxy = stack["services"]["haproxy"]
    minor = re.search(r"HAProxy version (\d+\.\d+)", subprocess.run(
        ["haproxy", "-v"], capture_output=True, text=True, check=True).stdout)[1]
    assert proxy["image"] == f"haproxy:{minor}" == "haproxy:2.6"
    assert proxy["profiles"] == ["cluster"]
    assert proxy["volumes"] == ["./production/lesson25_cluster/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"]
    assert proxy["ports"] == [f"127.0.0.1:{FRONT}:{FRONT}"]
    assert proxy["depends_on"] == {f"rabbit{i}": {"condition": "service_healthy"} for i in (1, 2, 3)}
    env = proxy["environment"]
    assert env["LB_BIND"] == f":{FRONT}" and [env[f"LB_NODE{i}"] for i in (1, 2, 3)] == [
        f"rabbit{i}:5672" for i in (1, 2, 3)]
    cfg = (FOLDER / "haproxy.cfg").read_text()
    used = set(re.findall(r"\$\{(LB_\w+)-", cfg))
    assert used == {"LB_BIND", "LB_NODE1", "LB_NODE2", "LB_NODE3", "LB_ADMIN_SOCKET"}
    assert f'bind "${{LB_BIND-127.0.0.1:{FRONT}}}"' in cfg
    assert re.search(r"^\s*mode tcp\b", cfg, re.M) and "on-marked-down shutdown-sessions" in cfg
    assert "stats enable" not in cfg and not re.search(r"^\s*listen\b", cfg, re.M), "no stats page"
    assert proxy["healthcheck"]["test"][:3] == ["CMD", "bash", "-c"]


def haproxy_in_front_of(*addresses: str, tmp_path: Path) -> tuple[subprocess.Popen, int]:
    """haproxy -db -f haproxy.cfg with its servers at `addresses`, on a free port of 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "LB_BIND": f"127.0.0.1:{port}", "LB_ADMIN_SOCKET": str(tmp_path / f"admin-{port}.sock"),
           **{f"LB_NODE{i}": address for i, address in enumerate(addresses, start=1)}}
    proxy = subprocess.Popen(["haproxy", "-db", "-f", "haproxy.cfg"], cwd=FOLDER, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_until(lambda: nodes.port_taken(port) or proxy.poll() is not None, timeout=15, what="haproxy's port")
    assert proxy.poll() is None, proxy.communicate()[0]
    return proxy, port


def compose_healthcheck(port: int) -> int:
    """The haproxy service's healthcheck command, aimed at `port`."""
    test = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["haproxy"]["healthcheck"]["test"]
    return subprocess.run([*test[1:-1], test[-1].replace(str(FRONT), str(port))], timeout=20).returncode


def admin(proxy_socket: Path, line: str) -> str:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(str(proxy_socket))
        sock.sendall(line.encode() + b"\n")
        return b"".join(iter(lambda: sock.recv(4096), b"")).decode()


@pytest.mark.timeout(120)
def test_haproxy_cfg_passes_amqp_to_a_live_node_and_marks_dead_ones_down(tmp_path):
    """The lesson's haproxy.cfg in front of the course's broker (3.10 or 4.x) and two ports where
    nothing listens: its AMQP health check keeps the broker up and marks the others down, a pika
    connection through it reaches the broker, and the compose healthcheck passes; with no live node
    the healthcheck fails."""
    import pika

    amqp = urlsplit(settings.AMQP_URL)
    dead = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            dead.append(f"127.0.0.1:{probe.getsockname()[1]}")
    proxy, port = haproxy_in_front_of(f"{amqp.hostname}:{amqp.port}", *dead, tmp_path=tmp_path)
    try:
        sock = next(tmp_path.glob("admin-*.sock"))

        def states() -> dict[str, str]:  # server name -> srv_op_state (2 running, 0 stopped)
            rows = [line.split() for line in admin(sock, "show servers state rabbitmq").splitlines()[2:] if line]
            return {row[3]: row[5] for row in rows}

        wait_until(lambda: states() == {"rabbit1": "2", "rabbit2": "0", "rabbit3": "0"}, timeout=20,
                   what="the AMQP check to keep rabbit1 up and mark rabbit2 and rabbit3 down")
        params = pika.URLParameters(settings.AMQP_URL)
        params.host, params.port = "127.0.0.1", port
        connection = pika.BlockingConnection(params)
        try:
            assert connection.is_open and connection.channel().is_open
        finally:
            connection.close()
        assert compose_healthcheck(port) == 0
    finally:
        proxy.terminate()
        out = proxy.communicate(timeout=10)[0]
    assert "rabbit2 is DOWN" in out and "rabbit1 is DOWN" not in out, out
    proxy, port = haproxy_in_front_of(*dead, dead[0], tmp_path=tmp_path)
    try:
        wait_until(lambda: compose_healthcheck(port) != 0, timeout=20,
                   what="the healthcheck to fail with every node down")
    finally:
        proxy.terminate()
        proxy.communicate(timeout=10)


@pytest.mark.either_broker
def test_without_haproxy_it_says_how_to_install_it(tmp_path):
    """RabbitMQ is there (its commands on PATH, or the 4.x chroot) but haproxy is not."""
    for tool in ("rabbitmq-server", "rabbitmqctl"):
        if shutil.which(tool):
            (tmp_path / tool).symlink_to(shutil.which(tool))
    result = run_lesson(25, timeout=120, env={"PATH": f"{tmp_path}:/usr/bin:/bin"})
    out = result.stdout
    assert result.returncode == 1 and "Traceback" not in out, out
    assert "haproxy is not installed here: install it with 'apt-get install haproxy'" in out
    assert lesson_nodes() == [] and lesson_folders() == []


@pytest.mark.timeout(300)
def test_cluster_conf_forms_a_cluster_on_this_rabbitmq():
    """The profile's cluster.conf, with local node names, forms one cluster at first boot: no
    join_cluster (the same lines the Docker nodes read)."""
    conf = "\n".join(
        re.sub(r"rabbit@rabbit(\d)", r"l25f\1@localhost", line)
        for line in (FOLDER / "cluster.conf").read_text().splitlines() if not line.startswith("#"))
    cluster = nodes.Nodes(3, base_port=5681, prefix="l25f", plugins=(), config=conf)
    try:
        took = cluster.start_all()
        status = {}

        def formed():
            nonlocal status
            status = json.loads(cluster[0].ctl("cluster_status", "--formatter", "json").stdout)
            return len(status.get("running_nodes", [])) == 3

        eventually(formed, timeout=60, interval=1)  # the assert below shows what it was at the deadline
        assert sorted(status["running_nodes"]) == [f"l25f{i}@localhost" for i in (1, 2, 3)]
        print(f"peer discovery formed the cluster; the nodes took {took:.1f} s to start")
    finally:
        cluster.stop_all()
    assert not [name for name in nodes.registered_nodes() if name.startswith("l25f")]
