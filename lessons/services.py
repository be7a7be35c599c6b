"""Checks that the services a lesson needs answer, and says how to fix the ones that do not.

Each check returns a `Status`: up or down, with a one-line reason and the command that fixes it.
Checks are quick (a couple of seconds at most) so a lesson with the stack down fails fast.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lessons import errors, settings
from lessons.catalog import FLOWER, MANAGEMENT, RABBITMQ, REDIS

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 2.0

ALL = (RABBITMQ, MANAGEMENT, REDIS, FLOWER)
NAMES = {RABBITMQ: "RabbitMQ", MANAGEMENT: "RabbitMQ's management API", REDIS: "Redis", FLOWER: "Flower"}


@dataclass
class Status:
    service: str
    url: str
    up: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        state = "up" if self.up else "DOWN"
        text = f"{self.service:<11} {state:<5} {self.url}  {self.detail}"
        return text if self.up or not self.fix else f"{text}\n{'':<18}fix: {self.fix}"


def _port_open(url: str, default_port: int) -> str | None:
    """None when something listens at the URL's host and port, else the reason."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=TIMEOUT):
            return None
    except OSError as exc:
        return "connection refused" if isinstance(exc, ConnectionRefusedError) else str(exc)


def check_rabbitmq() -> Status:
    url = settings.redact(settings.AMQP_URL)
    reason = _port_open(settings.AMQP_URL, 5672)
    if reason:
        return Status(RABBITMQ, url, False, reason, errors.START_RABBITMQ)
    import pika

    params = pika.URLParameters(settings.AMQP_URL)
    params.connection_attempts = 1
    params.socket_timeout = TIMEOUT
    params.blocked_connection_timeout = TIMEOUT
    try:
        pika.BlockingConnection(params).close()
    except Exception as exc:  # every failure here is reported, not raised
        return Status(RABBITMQ, url, False, errors.explain(exc) or repr(exc))
    return Status(RABBITMQ, url, True, "accepts the course user")


def check_management() -> Status:
    import requests

    url = settings.management_base()
    reason = _port_open(url, 15672)
    if reason:
        return Status(
            MANAGEMENT, url, False, reason,
            "enable the plugin: 'rabbitmq-plugins enable rabbitmq_management' (the compose image has it)",
        )
    try:
        response = requests.get(url + "overview", auth=settings.management_credentials(), timeout=TIMEOUT)
    except requests.RequestException as exc:
        return Status(MANAGEMENT, url, False, str(exc))
    if response.status_code == 401:
        return Status(MANAGEMENT, url, False, "credentials refused (401)", "check the user and password in MANAGEMENT_URL")
    if not response.ok:
        return Status(MANAGEMENT, url, False, f"answered {response.status_code}")
    return Status(MANAGEMENT, url, True, f"RabbitMQ {response.json().get('rabbitmq_version', '?')}")


def check_redis() -> Status:
    url = settings.redact(settings.REDIS_URL)
    reason = _port_open(settings.REDIS_URL, 6379)
    if reason:
        return Status(REDIS, url, False, reason, errors.START_REDIS)
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=TIMEOUT).ping()
    except redis.RedisError as exc:
        return Status(REDIS, url, False, errors.explain(exc) or str(exc))
    return Status(REDIS, url, True, "answers PING")


def check_flower() -> Status:
    url = settings.FLOWER_URL
    reason = _port_open(url, 5555)
    if reason:
        return Status(FLOWER, url, False, f"{reason} (lesson 19 starts its own Flower)", "'make up' starts the composed one")
    return Status(FLOWER, url, True, "listening")


CHECKS = {RABBITMQ: check_rabbitmq, MANAGEMENT: check_management, REDIS: check_redis, FLOWER: check_flower}


def check(services: tuple[str, ...] | list[str]) -> list[Status]:
    return [CHECKS[name]() for name in services]


def docker_available() -> bool:
    """True when a Docker engine (not only the client) answers."""
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def compose_up() -> bool:
    """Bring the composed stack up and wait for its healthchecks. True when it worked."""
    print("Starting the stack with 'docker compose up -d --wait' ...", flush=True)
    result = subprocess.run(["docker", "compose", "up", "-d", "--wait"], cwd=ROOT)
    return result.returncode == 0


def local_servers_installed() -> bool:
    return all(shutil.which(tool) for tool in ("rabbitmq-server", "rabbitmqctl", "redis-server"))


def uses_local_defaults() -> bool:
    """True when the broker and Redis URLs point at this machine's default ports: then the
    course may set those servers up itself (it never touches a broker the learner chose)."""
    amqp, redis_url = urlsplit(settings.AMQP_URL), urlsplit(settings.REDIS_URL)
    default = urlsplit(settings.VARIABLES["AMQP_URL"][0])
    # The user scripts/local-stack.sh creates, as docker-compose.yml reads it.
    stack_user = (os.environ.get("RABBITMQ_USER", default.username),
                  os.environ.get("RABBITMQ_PASSWORD", default.password))
    local = ("127.0.0.1", "localhost")
    return (amqp.hostname in local and (amqp.port or 5672) == 5672
            and (amqp.username, amqp.password) == stack_user
            and redis_url.hostname in local and (redis_url.port or 6379) == 6379)


def can_administer_local_rabbitmq() -> bool:
    """rabbitmqctl needs root (or the rabbitmq user) to reach the local node."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def local_stack_up() -> bool:
    """Do what 'make up' does without Docker: start what is down, enable the management plugin,
    create the course user (scripts/local-stack.sh). True when it worked."""
    print("Setting up the local RabbitMQ and Redis as 'make up' does (scripts/local-stack.sh) ...",
          flush=True)
    result = subprocess.run(["sh", str(ROOT / "scripts" / "local-stack.sh")], cwd=ROOT)
    return result.returncode == 0


LOCAL_FIX = ("Run 'sudo make up' once: it starts the local servers, enables RabbitMQ's management "
             "plugin and creates the course user.")


def ensure(services: tuple[str, ...] | list[str]) -> list[Status]:
    """Check the services; when some are down, bring the stack up once, as 'make up' would:
    with Docker, 'docker compose up'; without it, the local servers (scripts/local-stack.sh)
    when this user may administer them, else the one command to run.

    Returns the statuses of the services still down (empty when all is well).
    """
    needed = [s for s in services if s != FLOWER]  # lessons that need Flower start their own
    down = [s for s in check(needed) if not s.up]
    if not down:
        return down
    refused = [s for s in down if s.detail.startswith("connection refused")]
    if docker_available():
        if refused and compose_up():
            down = [s for s in check(needed) if not s.up]
    elif local_servers_installed() and uses_local_defaults():
        if can_administer_local_rabbitmq() and local_stack_up():
            down = [s for s in check(needed) if not s.up]
        else:
            for status in down:
                status.fix = LOCAL_FIX
    return down


def ready(services: tuple[str, ...] | list[str]) -> bool:
    """`ensure` the services; for each one still down, say on stderr what is wrong and the
    command that fixes it. True when all of them are usable."""
    down = ensure(services)
    for status in down:
        where = "" if status.url in status.detail else f" at {status.url}"
        print(f"{NAMES[status.service]} is not usable{where}: {status.detail}", file=sys.stderr)
        if status.fix:
            print(f"  {status.fix}", file=sys.stderr)
    return not down
