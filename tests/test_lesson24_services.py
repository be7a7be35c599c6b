"""Lesson 24 end to end: supervisord, celery multi and the systemd units, run for real.

The demo starts its own supervisord (Debian's `supervisor` package: CI installs it) and celery
multi nodes under a temporary folder. These tests look from outside: the results in Redis, the
queues over the management API, the processes in /proc, the unit files as systemd reads them.
"""

import configparser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, assert_clean_run, end_demo, read_until, run_lesson, start_lesson

from lessons.broker import celery_env
from production.lesson24_services import render

# Lesson 24 is about the processes around Celery (supervisord, systemd, celery multi, shutdowns):
# what it proves is the same on any broker, so CI runs it on one leg (tests/conftest.py).
pytestmark = pytest.mark.either_broker

QUEUES = ("lesson24_services", "lesson24_tasklimit", "lesson24_memlimit")
LESSON = ROOT / "production" / "lesson24_services"
NEEDS_SUPERVISOR = "lesson 24 needs supervisord: apt-get install -y supervisor"


def session_processes() -> list[str]:
    """Live processes started for this test session, other than pytest itself: they carry its
    REDIS_URL, and its AMQP_URL or (the stopped-broker worker, whose AMQP_URL points elsewhere)
    the demo's LESSON24_FOLDER."""
    redis_url = f"REDIS_URL={os.environ['REDIS_URL']}".encode()
    amqp_url = f"AMQP_URL={os.environ['AMQP_URL']}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except (OSError, IndexError):
            continue
        ours = redis_url in environ and (
            amqp_url in environ or any(item.startswith(b"LESSON24_FOLDER=") for item in environ))
        if state != "Z" and ours and "pytest" not in cmdline:
            found.append(cmdline.strip())
    return found


def test_supervisord_is_installed():
    assert shutil.which("supervisord") and shutil.which("supervisorctl"), NEEDS_SUPERVISOR


@pytest.mark.timeout(300)
def test_demo_runs_the_services_and_loses_nothing(management, redis_client):
    assert shutil.which("supervisord"), NEEDS_SUPERVISOR
    out = assert_clean_run(run_lesson(24, timeout=240))
    folder = Path(re.search(r"Everything this demo starts lives in (\S+)", out)[1])

    # From outside: the results in Redis, by the ids the client printed.
    sent = dict(re.findall(r"client \|  \[x\] Sent \w+\('([\w-]+)', [\d.]+\).*: ([0-9a-f-]{36})$", out, re.M))
    assert set(sent) == {"job-1", "job-2", "job-3", "job-4", "job-5", "A", "B"}, sent
    meta = {job: json.loads(redis_client.get(f"celery-task-meta-{task_id}")) for job, task_id in sent.items()}
    assert all(meta[job]["status"] == "SUCCESS" for job in sent if job != "B"), meta

    # Warm shutdown: job-1 finished in the worker that was being restarted; others in the new one.
    old, new = map(int, re.search(r"worker pid (\d+) stopped, pid (\d+) started", out).groups())
    assert meta["job-1"]["result"]["worker_pid"] == old
    assert any(meta[f"job-{n}"]["result"]["worker_pid"] == new for n in range(2, 6))
    assert out.count("worker: Warm shutdown (MainProcess)") >= 2

    # Cold shutdown: A (acks_late) redelivered and done, B (early ack) left as RETRY, not run again.
    assert meta["A"]["result"]["redelivered"] is True
    assert meta["B"]["status"] == "RETRY"
    assert out.count("slow_early_ack B: started") == 1 and "slow_early_ack B: finished" not in out

    # The worker pointed at a stopped broker retried, and the health check said no.
    assert re.search(r"no-broker \| .*Cannot connect to amqp://course:\*\*@127\.0\.0\.1:\d+", out)
    assert "Error: No nodes replied within time constraint" in out

    # Recycling, as the demo measured it: 3 tasks per pool process; memory over the limit.
    assert "runs of [3, 3, 1]" in out
    rows = re.findall(r"│ (\d) +│ (\d+) +│ (\d*) +│ ([\d.]*) +│", out)
    assert len(rows) == 7 and len({row[1] for row in rows}) == 3

    # Nothing left: queues, processes, the temporary folder.
    for queue in QUEUES:
        assert management.queue(queue) is None, queue
    assert session_processes() == []
    assert not folder.exists()


@pytest.mark.timeout(240)
def test_ctrl_c_during_celery_multi_stops_every_process():
    assert shutil.which("supervisord"), NEEDS_SUPERVISOR
    demo = start_lesson(24)
    try:
        seen = read_until(demo, "two nodes, tasklimit and memlimit", timeout=150)
        running = session_processes()
        assert any("supervisord" in p for p in running), running
        assert any("multi/memlimit.pid" in p for p in running), "celery multi's nodes run"
    finally:
        demo.send_signal(signal.SIGINT)  # also when an assert failed: the demo cleans up
        try:
            rest, _ = demo.communicate(timeout=90)
        finally:
            if demo.poll() is None:
                end_demo(demo)
    assert demo.returncode == 130, rest
    assert "Interrupted. Stopping everything this demo started" in rest
    assert "Traceback" not in seen + rest
    assert session_processes() == []
    folder = Path(re.search(r"Everything this demo starts lives in (\S+)", seen)[1])
    assert not folder.exists()


def test_without_supervisord_the_demo_says_how_to_install_it():
    bare = Path(sys.executable).parent  # the venv's bin: python and celery, no supervisord
    result = run_lesson(24, env={"PATH": str(bare)}, timeout=60)
    assert result.returncode == 1
    assert "apt-get install -y supervisor" in result.stdout
    assert "Traceback" not in result.stdout
    assert session_processes() == []


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read_string(path.read_text())
    return unit


@pytest.mark.parametrize("name", ["celery-worker.service", "celery-beat.service"])
def test_units_have_the_shape_of_a_service(name, tmp_path):
    """Checked everywhere, with or without systemd-analyze."""
    unit = read_unit(LESSON / name)
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert service["Type"] == "simple" and service["Restart"] == "always"
    assert service["User"] == "celery", "never root"
    assert service["ExecStart"].startswith("@CELERY@ -A tasks ")
    assert service["WorkingDirectory"] == "@PROJECT@"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    # Hardened: no privileges to gain, a read-only system, a /tmp of its own, a bounded restart loop.
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "yes" and int(service["LimitNOFILE"]) >= 1024
    assert int(unit["Unit"]["StartLimitBurst"]) > 0 and int(unit["Unit"]["StartLimitIntervalSec"]) > 0
    if name == "celery-beat.service":
        # The only place ProtectSystem=strict lets it write: its StateDirectory, for the schedule.
        assert service["StateDirectory"] == "celery-beat"
        assert "--schedule %S/celery-beat/celerybeat-schedule" in service["ExecStart"]
    if name == "celery-worker.service":
        assert service["KillMode"] == "mixed" and service["KillSignal"] == "SIGTERM"
        assert int(service["TimeoutStopSec"]) >= 60
        assert "worker@%%h" in service["ExecStart"], "systemd would read %h as the home folder"
    render.render(tmp_path, "amqp://course:course@127.0.0.1:5672/%2F", "redis://127.0.0.1:6379/0")
    filled = read_unit(tmp_path / name)["Service"]
    assert Path(filled["ExecStart"].split()[0]).is_absolute()
    assert filled["WorkingDirectory"] == str(LESSON), "the folder of tasks.py"
    assert (tmp_path / "celery.env").read_text().startswith("AMQP_URL=amqp://course:course@127.0.0.1:5672/%2F\n")


def test_systemd_analyze_verifies_the_filled_units(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed (Debian's systemd package); the shape test covers the units")
    render.render(tmp_path)
    units = [str(tmp_path / "celery-worker.service"), str(tmp_path / "celery-beat.service")]
    verify = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=30)
    assert verify.returncode == 0 and verify.stdout + verify.stderr == "", verify.stderr


@pytest.mark.parametrize("name", ["celery-worker.service", "celery-beat.service"])
def test_systemd_analyze_security_rates_the_hardened_units_low(name, tmp_path):
    """The exposure score of the filled unit, and of the same unit with its hardening lines taken
    out (what the lesson's units were before): the README quotes both."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    render.render(tmp_path)
    text = (tmp_path / name).read_text()
    bare = tmp_path / f"bare-{name}"
    bare.write_text(text.split("\n# Hardening")[0] + "\n\n[Install]\nWantedBy=multi-user.target\n")

    def score(path: Path) -> float:
        rated = subprocess.run(["systemd-analyze", "security", "--offline=true", str(path)],
                               capture_output=True, text=True, timeout=30)
        return float(re.search(r"Overall exposure level for \S+: ([\d.]+)", rated.stdout + rated.stderr)[1])

    assert score(tmp_path / name) <= 2.0
    assert score(bare) >= 9.0, "without the hardening lines the unit is rated UNSAFE"


def test_supervisord_conf_doubles_every_percent_sign(tmp_path):
    render.render(tmp_path, "amqp://course:course@127.0.0.1:5672/%2F", "redis://127.0.0.1:6379/0")
    text = (tmp_path / "supervisord.conf").read_text()
    assert 'AMQP_URL="amqp://course:course@127.0.0.1:5672/%%2F"' in text
    assert "--hostname worker@%%h" in text
    settings = [line.split(" ;")[0] for line in text.splitlines() if not line.startswith(";")]
    assert not re.search(r"(?<!%)%(?![%(])", "\n".join(settings)), "a lone % is read as supervisord's own"
    assert str(tmp_path) in text and "@FOLDER@" not in text


@pytest.mark.timeout(120)
def test_celery_multi_restart_gives_the_node_a_new_pid(tmp_path):
    """The demo starts and stops nodes; `restart` (stopwait, then start with the options given
    again) is checked here, outside the demo's time budget."""
    import psutil

    from lessons import broker
    from lessons.broker import celery_env
    from lessons.waiting import wait_until

    options = ["-A", "tasks", f"--pidfile={tmp_path}/%n.pid",
               f"--logfile={tmp_path}/%n%I.log", "--loglevel=INFO", "--concurrency=1",
               "--without-mingle", "--without-gossip", "-Q", "lesson24_restart"]
    env = {**os.environ, **celery_env()}
    log, pid_file = tmp_path / "deploy.log", tmp_path / "deploy.pid"

    def multi(command):
        argv = [render.celery_program(), "--no-color", "multi", command, "deploy", *options]
        return subprocess.run(argv, cwd=LESSON, env=env, capture_output=True, text=True, timeout=60)

    def ready_lines():
        return log.read_text().count(" ready.") if log.exists() else 0

    try:
        assert multi("start").returncode == 0
        wait_until(lambda: ready_lines() == 1, timeout=40, what="the node to be ready")
        first = psutil.Process(int(pid_file.read_text()))
        restarted = multi("restart")
        assert restarted.returncode == 0 and "Restarting node deploy@" in restarted.stdout, restarted.stdout
        wait_until(lambda: ready_lines() == 2, timeout=40, what="the restarted node to be ready")
        second = psutil.Process(int(pid_file.read_text()))
        assert second.pid != first.pid and not psutil.wait_procs([first], timeout=15)[1]
        stopped = multi("stopwait")
        # stopwait returns when the pid file is gone: the node removes it just before it exits.
        assert stopped.returncode == 0 and not pid_file.exists()
        assert not psutil.wait_procs([second], timeout=15)[1]
    finally:
        if pid_file.exists():
            multi("stopwait")
        broker.delete_queues("lesson24_restart")
        broker.delete_exchanges("lesson24_restart")
    assert session_processes() == []


def test_the_service_files_run_from_a_copy_of_the_folder(tmp_path):
    """Copied out (the templates, render.py and the app), render.py fills in the copy's folder as
    the services' working directory, where `celery -A tasks` finds the app."""
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("render.py", "tasks.py", "client.py", *render.TEMPLATES):
        shutil.copy(LESSON / name, copy / name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "render.py", str(tmp_path / "out")], cwd=copy, capture_output=True,
                            text=True, timeout=30, env=env)
    assert result.returncode == 0 and "supervisord -n -c" in result.stdout, result.stdout + result.stderr
    assert read_unit(tmp_path / "out" / "celery-worker.service")["Service"]["WorkingDirectory"] == str(copy)
    assert f"directory={copy} " in (tmp_path / "out" / "supervisord.conf").read_text()
    app = subprocess.run([render.celery_program(), "-A", "tasks", "report"], cwd=copy, capture_output=True,
                         text=True, timeout=60, env={**env, **celery_env()})
    assert app.returncode == 0 and "'task': 'tasks.heartbeat'" in app.stdout, app.stdout + app.stderr
