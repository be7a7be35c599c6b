"""Lesson 27 end to end, on a node of its own: TLS for pika, kombu, Celery and the management
API, a client certificate per application, users and permissions, guest refused from another
address (a network namespace, as root), a Redis with a password; bad certificate files get a
sentence; the compose files carry the same settings; the shared broker is left as it was; Ctrl+C
stops all, the namespace included."""

import glob
import os
import re
import signal
import subprocess
import sys

import psutil
import pytest
import yaml
from helpers import ROOT, assert_clean_run, read_until, run_lesson, start_lesson
from shared_broker import assert_unchanged, settings

from lessons.nodes import RABBITMQ4_ROOT, registered_nodes
from lessons.waiting import eventually
from production.lesson27_security import demo

NODE = "l27"
LESSON_USERS = ("orders-producer", "orders-worker", "reports-app")
FOLDER = ROOT / "production" / "lesson27_security"
COMPOSE = FOLDER / "compose"


def lesson_processes() -> list[str]:
    found = []
    for process in psutil.process_iter(["name", "cmdline", "cwd"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        # Roles run in the lesson's folder (the Celery worker's command line does not name it).
        here = "production.lesson27_security" in cmdline or process.info["cwd"] == str(FOLDER)
        if (here and "pytest" not in cmdline) or (
                process.info["name"] == "redis-server" and f":{demo.REDIS_PORT}" in cmdline):
            found.append(cmdline)
    return found


def leftover_folders() -> list[str]:
    return [path for pattern in (f"course-{NODE}-*", "course-l27-certs-*")
            for path in glob.glob(f"/tmp/{pattern}") + glob.glob(f"{RABBITMQ4_ROOT}/tmp/{pattern}")]


@pytest.mark.timeout(240)
def test_demo_tells_and_checks_the_story():
    before = settings()
    out = assert_clean_run(run_lesson(27, timeout=200))
    assert re.search(r"wrong-host \|\s+\[!\] No TLS connection to 127\.0\.0\.1:5687: .*hostname mismatch", out)
    assert re.search(r"untrusted \|\s+\[!\] .*not signed by a CA we trust", out)
    assert re.search(r"no-cert \|\s+\[!\] .*requires a client certificate", out)
    assert re.search(r"https \|\s+\[\.\] listener: https\s+port 15687", out)
    assert re.search(r"producer \|\s+\[!\] Refused 'us\.new': 403 ACCESS_REFUSED", out)
    assert re.search(r"orders-worker \|\s+\[!\] Refused: 403 ACCESS_REFUSED", out)
    # Each application shows its own certificate, and the broker saw which.
    assert "one client certificate per application: CN=orders-app, CN=reports-app" in out
    assert "client certificate CN=reports-app" in out
    assert "[ok] the broker tells the applications apart by their certificates: orders-worker's " \
           "connection presented CN=orders-app, reports-app's CN=reports-app" in out
    # guest: in from localhost; refused from another address, which only root can make here.
    assert "[ok] a fresh node has user guest (password guest), and it logs in from localhost" in out
    if os.geteuid() == 0:
        assert re.search(r"course-l27 \|\s+\[!\] guest refused: .*\(403\) .*ACCESS_REFUSED", out)
        assert "[ok] guest from 10.227.27.2, an address that is not loopback: 403 ACCESS_REFUSED" in out
        assert ("log says why (\"user 'guest' can only connect via localhost\"), and user course logs in "
                "from 10.227.27.2") in out
    else:
        assert "Skipped: making a network namespace needs root" in out and "guest from 10.227" not in out
    assert not demo.namespace_left()
    assert re.search(r"client \|\s+\[\.\] Result: 'report for 2026-11: 42 orders'", out)
    assert eventually(lambda: NODE not in registered_nodes(), timeout=15)
    assert leftover_folders() == []
    assert lesson_processes() == []
    assert_unchanged(before, LESSON_USERS)


@pytest.mark.timeout(180)
def test_ctrl_c_stops_the_node_and_redis():
    before = settings()
    demo_process = start_lesson(27)
    # Ctrl+C while the node starts; its Redis already runs.
    read_until(demo_process, "Starting l27@localhost", timeout=120)
    assert any(f":{demo.REDIS_PORT}" in line for line in lesson_processes())  # Redis runs
    assert demo.namespace_left() == (os.geteuid() == 0)  # and, as root, the network namespace exists
    demo_process.send_signal(signal.SIGINT)
    out, _ = demo_process.communicate(timeout=90)
    assert demo_process.returncode == 130, out
    assert "Interrupted. Stopping everything this demo started" in out
    assert "Traceback" not in out
    assert eventually(lambda: NODE not in registered_nodes(), timeout=30), registered_nodes()
    assert eventually(lambda: lesson_processes() == [], timeout=15), lesson_processes()
    assert leftover_folders() == []
    assert not demo.namespace_left(), "the namespace and its veth pair are removed on Ctrl+C too"
    assert_unchanged(before, LESSON_USERS)


@pytest.mark.either_broker
def test_without_ip_the_demo_says_in_one_line_what_it_skips(monkeypatch):
    """No iproute2 (or not root): one sentence, no namespace, and no claim about other addresses."""
    said = []

    class Teller:
        say = said.append

        def cleanup(self, *args, **kwargs):
            raise AssertionError("nothing to clean up: nothing was made")

    monkeypatch.setenv("PATH", "/nonexistent")
    assert demo.make_namespace(Teller()) is False
    assert len(said) == 1 and said[0].startswith("(Skipped: making a network namespace needs root and iproute2's 'ip'")
    assert "does not claim" in said[0]
    monkeypatch.undo()
    assert not demo.namespace_left()


@pytest.fixture
def certificates(tmp_path):
    result = run_lesson(27, "--out", str(tmp_path), role="certificates", timeout=60)
    assert result.returncode == 0, result.stdout
    return tmp_path


def tls_check(certs, *args):
    env = {"AMQPS_URL": "amqps://course:course@localhost:5687/%2F", "TLS_CA_FILE": str(certs / "ca.pem"),
           "TLS_CERT_FILE": str(certs / "orders-app.pem"), "TLS_KEY_FILE": str(certs / "orders-app.key")}
    return subprocess.run([sys.executable, "tls_check.py", *args], cwd=FOLDER,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=60)


def test_a_certificate_file_that_does_not_exist_is_named(certificates):
    missing = certificates / "nowhere" / "client.pem"
    result = tls_check(certificates, "--cert", str(missing))
    assert result.returncode == 1
    assert f"The TLS file {missing} does not exist." in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_key_that_does_not_match_its_certificate_is_named(certificates):
    result = tls_check(certificates, "--key", str(certificates / "server.key"))
    assert result.returncode == 1
    assert (f"The key {certificates / 'server.key'} does not match the certificate "
            f"{certificates / 'orders-app.pem'}") in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_url_with_a_password_has_no_default():
    result = subprocess.run([sys.executable, "tls_check.py"], cwd=FOLDER,
                            env={k: v for k, v in os.environ.items() if k != "AMQPS_URL"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Set AMQPS_URL" in result.stderr


def conf_keys(text: str) -> dict:
    pairs = [line.split("=", 1) for line in text.splitlines() if "=" in line and not line.lstrip().startswith("#")]
    return {key.strip(): value.strip() for key, value in pairs}


def test_compose_files_carry_the_lessons_settings():
    """Compose users get the same TLS settings as the lesson's node, as files they can mount."""
    compose_conf = conf_keys((COMPOSE / "rabbitmq.conf").read_text())
    node_conf = conf_keys(demo.tls_config("/certs"))
    # The same keys, except the node's own binding to 127.0.0.1 (compose publishes on 127.0.0.1).
    assert set(node_conf) - {"management.ssl.ip"} <= set(compose_conf)
    for key, value in node_conf.items():
        if key.endswith("file"):
            assert compose_conf[key] == value.replace("/certs", "/etc/rabbitmq/certs")
        elif key not in ("listeners.ssl.default", "management.ssl.port", "management.ssl.ip"):
            assert compose_conf[key] == value, key
    assert compose_conf["listeners.ssl.default"] == "5671" and compose_conf["management.ssl.port"] == "15671"

    override = yaml.safe_load((COMPOSE / "docker-compose.tls.yml").read_text())
    base = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert set(override["services"]) <= set(base["services"])  # an override of the course's stack
    rabbitmq = override["services"]["rabbitmq"]
    mounts = {volume.rsplit(":", 2)[1]: volume.rsplit(":", 2)[0] for volume in rabbitmq["volumes"]}
    assert mounts["/etc/rabbitmq/conf.d/20-tls.conf"] == "./production/lesson27_security/compose/rabbitmq.conf"
    assert (ROOT / mounts["/etc/rabbitmq/conf.d/20-tls.conf"]).is_file()
    assert "/etc/rabbitmq/certs" in mounts
    assert all(port.startswith("127.0.0.1:") for port in rabbitmq["ports"])
    assert {port.rsplit(":", 1)[1] for port in rabbitmq["ports"]} == {"5671", "15671"}
    redis = override["services"]["redis"]
    assert "--requirepass" in redis["command"]
    assert "${REDIS_PASSWORD:?" in redis["command"][redis["command"].index("--requirepass") + 1]


def test_no_password_in_the_role_files():
    """URLs with passwords come from the environment: the role files hold placeholders only."""
    credentials = re.compile(r"\b[a-z]+://[^/\s:@'\"]*:([^@\s'\"]+)@")
    for path in (ROOT / "production" / "lesson27_security").glob("*.py"):
        if path.name == "demo.py":  # the demo hands fresh passwords to the roles
            continue
        for password in credentials.findall(path.read_text(encoding="utf-8")):
            assert password in ("PASSWORD", "..."), f"{path.name} holds a password: {password}"
