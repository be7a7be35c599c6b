"""docker-compose.yml and the README agree with the settings the lessons use."""

import re
from urllib.parse import urlsplit

import yaml
from helpers import ROOT

from lessons import settings

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]


def published(service: str) -> dict[int, str]:
    """container port -> host address, for a service's published ports."""
    ports = {}
    for spec in SERVICES[service].get("ports", []):
        host, host_port, container_port = spec.split(":")
        assert host_port == container_port
        ports[int(container_port)] = host
    return ports


def test_every_service_has_a_healthcheck():
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_core_services_are_there_with_the_expected_checks():
    assert {"rabbitmq", "redis", "flower"} <= set(SERVICES)
    assert "management" in SERVICES["rabbitmq"]["image"] and re.search(r":4\.", SERVICES["rabbitmq"]["image"])
    assert SERVICES["rabbitmq"]["healthcheck"]["test"][1:] == ["rabbitmq-diagnostics", "-q", "ping"]
    assert re.search(r"redis:7", SERVICES["redis"]["image"])
    assert SERVICES["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]


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
    assert urlsplit(defaults["FLOWER_URL"]).port in published("flower")


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
