"""Where the stack lives. Every lesson reads its URLs from here.

Each value comes from an environment variable; the defaults match docker-compose.yml,
so the lessons work unchanged against the composed stack or against local servers
that use the same user (see the README, "Without Docker").
"""

import os
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Every variable a learner may set: its default and what it is for (the README lists them).
VARIABLES = {
    "AMQP_URL": ("amqp://course:course@127.0.0.1:5672/%2F", "RabbitMQ (AMQP) for pika, kombu and Celery's broker"),
    "MANAGEMENT_URL": ("http://course:course@127.0.0.1:15672/api/", "RabbitMQ management HTTP API"),
    "REDIS_URL": ("redis://127.0.0.1:6379/0", "Redis: Celery's result backend"),
    "FLOWER_URL": ("http://127.0.0.1:5555", "Flower's web UI and API"),
    "FLOWER_BASIC_AUTH": ("course:course", "user:password for Flower's basic auth"),
    "NO_COLOR": ("(unset)", "set it to turn off coloured role prefixes"),
}


def _setting(name: str) -> str:
    return os.environ.get(name, VARIABLES[name][0])


# RabbitMQ over AMQP 0-9-1. The path is the virtual host ("%2F" is "/").
AMQP_URL = _setting("AMQP_URL")
# The management plugin's HTTP API (also the URL Flower's --broker_api wants).
MANAGEMENT_URL = _setting("MANAGEMENT_URL")
# Redis: Celery's result backend, and a second kombu transport in lesson 11.
REDIS_URL = _setting("REDIS_URL")
# Flower, the Celery monitor, and the user:password its basic auth accepts.
FLOWER_URL = _setting("FLOWER_URL")
FLOWER_BASIC_AUTH = _setting("FLOWER_BASIC_AUTH")


def redact(url: str) -> str:
    """The URL with its password hidden, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def vhost(url: str = AMQP_URL) -> str:
    """The virtual host an AMQP URL points at ("/" when the path is empty)."""
    path = urlsplit(url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def with_vhost(url: str, name: str) -> str:
    """The same AMQP URL, pointed at another virtual host."""
    return urlunsplit(urlsplit(url)._replace(path="/" + quote(name, safe="")))


def management_credentials(url: str = MANAGEMENT_URL) -> tuple[str, str]:
    parts = urlsplit(url)
    return unquote(parts.username or "guest"), unquote(parts.password or "guest")


def management_base(url: str = MANAGEMENT_URL) -> str:
    """The management API's URL without credentials, ending in /api/."""
    parts = urlsplit(url)
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme, netloc, path or "/api/", "", ""))


def flower_credentials() -> tuple[str, str]:
    user, _, password = FLOWER_BASIC_AUTH.partition(":")
    return user, password
