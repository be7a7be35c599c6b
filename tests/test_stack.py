"""docker-compose.yml and the README agree with the settings the lessons use."""

import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import yaml
from helpers import ROOT

from lessons import settings

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def published(service: str) -> dict[int, str]:
    """container port -> host address, for a service's published ports."""
    ports = {}
    for spec in SERVICES[service].get("ports", []):
        host, _host_port, container_port = spec.split(":")
        ports[int(container_port)] = host
    return ports


def test_every_service_has_a_healthcheck():
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_core_services_are_there_with_the_expected_checks():
    assert {"rabbitmq", "redis", "flower"} <= set(SERVICES)
    assert "management" in SERVICES["rabbitmq"]["image"] and re.search(r":4\.", SERVICES["rabbitmq"]["image"])
    # Healthy means "accepts AMQP connections", not only "the Erlang node answers".
    assert SERVICES["rabbitmq"]["healthcheck"]["test"][1:] == [
        "rabbitmq-diagnostics", "-q", "check_port_connectivity"]
    assert re.search(r"redis:7", SERVICES["redis"]["image"])
    assert SERVICES["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]


def test_make_up_starts_the_core_services_and_the_rest_are_profiles():
    """`make up` (no profile) starts rabbitmq, redis and flower; lesson 19's monitoring and lesson
    25's cluster and its HAProxy (checked in detail by tests/test_lesson25_cluster.py) are opt-in profiles."""
    core = {name for name, service in SERVICES.items() if not service.get("profiles")}
    assert core == {"rabbitmq", "redis", "flower"}
    profiles = {name: service["profiles"] for name, service in SERVICES.items() if service.get("profiles")}
    assert profiles == {"prometheus": ["monitoring"], "grafana": ["monitoring"], "rabbit1": ["cluster"],
                        "rabbit2": ["cluster"], "rabbit3": ["cluster"], "haproxy": ["cluster"]}


def test_dependents_wait_for_healthy_services():
    for name, service in SERVICES.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert rule == {"condition": "service_healthy"}, f"{name} -> {dependency}"
    assert "rabbitmq" in SERVICES["flower"]["depends_on"]


def test_ports_are_published_on_localhost_only():
    for name in SERVICES:
        for host in published(name).values():
            assert host == "127.0.0.1", f"{name} publishes on {host}"


def test_ports_agree_with_the_settings_defaults():
    defaults = {name: default for name, (default, _) in settings.VARIABLES.items()}
    assert urlsplit(defaults["AMQP_URL"]).port in published("rabbitmq")
    assert urlsplit(defaults["MANAGEMENT_URL"]).port in published("rabbitmq")
    assert urlsplit(defaults["REDIS_URL"]).port in published("redis")


def host_ports(service: str) -> set[int]:
    return {int(spec.split(":")[1]) for spec in SERVICES[service].get("ports", [])}


def test_composed_flower_leaves_lesson_19_its_port():
    # Lesson 19 starts its own Flower on FLOWER_URL's port while the composed one runs.
    lesson_port = urlsplit(settings.VARIABLES["FLOWER_URL"][0]).port
    assert lesson_port not in host_ports("flower")
    assert host_ports("flower") == {5556}


def test_composed_flower_runs_the_course_versions_with_options_flower_reads():
    from flower.options import options

    build = SERVICES["flower"]["build"]
    dockerfile = (ROOT / build["dockerfile"]).read_text(encoding="utf-8")
    assert build["context"] == "." and "flower_requirements.py pyproject.toml" in dockerfile
    script = subprocess.run([sys.executable, str(ROOT / "stack" / "flower_requirements.py"),
                             str(ROOT / "pyproject.toml")], capture_output=True, text=True, check=True)
    wanted = {re.split(r"[\[<>=]", line)[0] for line in script.stdout.split()}
    assert wanted == {"celery", "kombu", "flower", "redis"}
    for line in script.stdout.split():  # the same ranges as the course's own dependencies
        assert f'"{line}"' in PYPROJECT
    command = SERVICES["flower"]["command"]
    flower_options = [arg[2:].split("=")[0] for arg in command[command.index("flower") + 1:]]
    assert flower_options and all(name in options for name in flower_options), flower_options
    assert "FLOWER_BASIC_AUTH" in SERVICES["flower"]["environment"]  # Flower reads FLOWER_* variables


def test_broker_user_comes_from_variables_with_the_settings_default():
    environment = SERVICES["rabbitmq"]["environment"]
    user = urlsplit(settings.VARIABLES["AMQP_URL"][0]).username
    password = urlsplit(settings.VARIABLES["AMQP_URL"][0]).password
    assert environment["RABBITMQ_DEFAULT_USER"] == f"${{RABBITMQ_USER:-{user}}}"
    assert environment["RABBITMQ_DEFAULT_PASS"] == f"${{RABBITMQ_PASSWORD:-{password}}}"
    assert user != "guest", "guest may only log in from localhost; the stack has its own user"


def test_readme_lists_every_variable_with_its_default():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, (default, purpose) in settings.VARIABLES.items():
        assert f"| `{name}` | `{default}` | {purpose} |" in readme, name


@pytest.mark.broker
def test_compose_pins_the_rabbitmq_minor_this_broker_runs(management):
    """On the 4.x leg: the compose image is the minor CI tested (on 3.10 there is nothing to pin)."""
    version = management.overview()["rabbitmq_version"]
    if not version.startswith("4."):
        pytest.skip(f"the broker runs RabbitMQ {version}; the compose image pins the 4.x that CI tests")
    minor = ".".join(version.split(".")[:2])
    assert SERVICES["rabbitmq"]["image"] == f"rabbitmq:{minor}-management"
