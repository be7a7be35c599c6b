"""Lesson 19 end to end: the demo with its own Flower on a free port, the roles as a learner runs
them in several terminals, and the bad inputs (no or wrong credentials, a taken port, Ctrl+C)."""

import re
import socket

import pytest
import requests
from helpers import ROOT, assert_clean_run, free_port, interrupt_at, run_lesson, start_lesson
from lesson19_stack import (
    QUEUE,
    flower_env,
    flower_lesson_processes,
    port_is_free,
    wait_for_finished_tasks,
    worker_and_flower,
)

PNG = b"\x89PNG\r\n\x1a\n"


def test_demo_tells_and_checks_the_story(management, tmp_path):
    port = free_port()
    result = run_lesson(19, "--charts", str(tmp_path), env=flower_env(port), timeout=90)
    out = assert_clean_run(result)
    # Flower on the port of FLOWER_URL, bound to 127.0.0.1.
    assert f"Visit me at http://127.0.0.1:{port}" in out
    # The roles' output: the client's tasks, the progress watcher, the monitor's history.
    for name in ("lesson19.add", "lesson19.slow", "lesson19.fail", "lesson19.flaky", "lesson19.report"):
        assert re.search(rf"monitor \|   {re.escape(name)} +(SUCCESS|FAILURE)", out), name
    assert re.search(r"monitor \|   lesson19\.fail +FAILURE", out)
    assert re.search(r"monitor \|   lesson19\.flaky +SUCCESS .* 2  worker-\d@", out)
    assert re.search(r"result backend: PROGRESS \{'done': 2, 'total': 5\} +\| Flower: STARTED", out)
    assert "task-failed 1, task-received 15, task-retried 2, task-sent 15, task-started 15, task-succeeded 12" in out
    assert "lesson19_flower: 0" in out
    # The failing task is an expected error (throws=...): one log line, no traceback.
    assert "raised expected: ValueError('bad input')" in out
    # Bad input shown by the demo: 401 without or with wrong credentials, and the sentence.
    assert "[ok] the API refuses a call without credentials: 401" in out
    assert "answered 401 Unauthorized to /api/tasks" in out
    # The charts are real PNG files.
    for chart in ("runtime_histogram.png", "tasks_per_state.png", "throughput.png"):
        assert (tmp_path / chart).read_bytes()[:8] == PNG, chart
    # Nothing outlives the demo: no queue or exchange of its own, no process, the port is free.
    assert management.queue(QUEUE) is None
    assert QUEUE not in [e["name"] for e in management.exchanges()]
    assert flower_lesson_processes(port) == []
    assert port_is_free(port)


def test_a_taken_port_is_a_sentence_naming_it_and_flower_url():
    port = free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        result = run_lesson(19, env=flower_env(port), timeout=30)
    out = result.stdout
    assert result.returncode == 1, out
    assert "Traceback" not in out
    assert f"Port {port} on 127.0.0.1 is already taken" in out
    assert "FLOWER_URL=" in out
    assert flower_lesson_processes(port) == []  # it stopped before starting any worker


@pytest.mark.either_broker
def test_ctrl_c_stops_flower_and_the_workers():
    port = free_port()
    demo = start_lesson(19, env=flower_env(port))

    def workers_and_flower_run(seen):
        assert len(flower_lesson_processes(port)) >= 3, seen  # two workers (and pools), Flower

    out = interrupt_at(demo, re.compile(r"flower \|.*Connected to amqp"), before=workers_and_flower_run)
    assert demo.returncode == 130, out
    assert "Interrupted. Stopping everything this demo started" in out
    assert "Traceback" not in out
    assert flower_lesson_processes(port) == []
    assert port_is_free(port)


@pytest.fixture(scope="module")
def stack():
    """A worker and Flower on a free port, started by their roles as a learner would."""
    port = free_port()
    with worker_and_flower(port) as (worker, flower):
        yield port, worker, flower
    assert flower_lesson_processes(port) == []


def test_the_api_wants_credentials(stack):
    port, _, _ = stack
    base = f"http://127.0.0.1:{port}"
    assert requests.get(base + "/api/workers", timeout=10).status_code == 401
    assert requests.get(base + "/api/tasks", auth=("course", "wrong"), timeout=10).status_code == 401
    assert requests.get(base + "/api/tasks", auth=("course", "course"), timeout=10).status_code == 200
    assert requests.get(base + "/metrics", timeout=10).status_code == 200  # Prometheus scrapes it


def test_roles_in_several_terminals(stack, tmp_path):
    port, worker, _ = stack
    env = flower_env(port)
    sent = run_lesson(19, "--fast", "3", "--slow", "1", "--seconds", "0.2", "--fail", "1",
                      "--flaky", "1", "--wait", role="client", env=env, timeout=60)
    assert sent.returncode == 0, sent.stdout
    assert sent.stdout.count("[x] Sent") == 6
    assert "lesson19.flaky SUCCESS: 'done after 2 retries'" in sent.stdout
    assert "lesson19.fail FAILURE: ValueError('bad input')" in sent.stdout

    progress = run_lesson(19, "--steps", "3", "--delay", "0.3", role="progress", env=env, timeout=60)
    assert progress.returncode == 0, progress.stdout
    assert "result backend: PROGRESS" in progress.stdout
    assert "Done: {'done': 3, 'total': 3}" in progress.stdout

    # Flower has all 7 once their final events arrived.
    wait_for_finished_tasks(port, 7)
    monitor = run_lesson(19, role="monitor", env=env)
    assert monitor.returncode == 0, monitor.stdout
    assert re.search(r"w19@\S+: 9 tasks", monitor.stdout), monitor.stdout  # flaky ran 3 times
    assert f"{QUEUE}: 0" in monitor.stdout

    charts = run_lesson(19, "--out", str(tmp_path), role="charts", env=env, timeout=60)
    assert charts.returncode == 0, charts.stdout
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "runtime_histogram.png", "tasks_per_state.png", "throughput.png"]


def test_a_wrong_password_is_a_sentence(stack):
    port, _, _ = stack
    result = run_lesson(19, role="monitor", env=flower_env(port, FLOWER_BASIC_AUTH="course:wrong"))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout
    assert f"Flower at http://127.0.0.1:{port} answered 401 Unauthorized" in result.stdout
    assert "Set FLOWER_BASIC_AUTH=user:password" in result.stdout


def test_a_second_flower_on_the_same_port_is_refused(stack):
    port, _, _ = stack
    result = run_lesson(19, role="flower", env=flower_env(port), timeout=30)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stdout
    assert f"Port {port} on 127.0.0.1 is already taken" in result.stdout
    assert "FLOWER_URL=" in result.stdout


def test_the_optional_monitoring_profile():
    """Prometheus scrapes the compose Flower's /metrics; Grafana reads Prometheus; both opt-in."""
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"], name
        assert services[name]["healthcheck"]["test"], name
        assert all(port.startswith("127.0.0.1:") for port in services[name]["ports"]), name
    assert services["prometheus"]["depends_on"] == {"flower": {"condition": "service_healthy"}}
    config = yaml.safe_load((ROOT / "stack" / "prometheus.yml").read_text(encoding="utf-8"))
    [job] = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"] == [{"targets": ["flower:5555"]}]
    mounted = " ".join(services["prometheus"]["volumes"])
    assert "./stack/prometheus.yml:/etc/prometheus/prometheus.yml" in mounted
