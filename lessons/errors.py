"""Expected trouble, said in a sentence or two instead of a traceback.

`explain(exc)` turns the exceptions a learner meets (broker down, refused
credentials, a queue declared twice with other arguments, Redis down, ...) into
text that says what happened and what to do next. It returns None for anything
unexpected, so real bugs still show their traceback.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from urllib.parse import quote, urlsplit

from lessons import settings

START_RABBITMQ = "Start it with 'make up' (Docker) or 'rabbitmq-server -detached' (local server), then try again."
START_REDIS = (
    "Start it with 'make up' (Docker) or "
    "'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no'."
)
FIX_CREDENTIALS = (
    "Check the user and password in AMQP_URL, or create the course user on a local server: "
    "'make broker-user'."
)


class CourseError(Exception):
    """An expected failure whose message is already a sentence for the learner."""


def _precondition(text: str) -> str:
    # e.g. "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'task_queue' in vhost '/':
    #       received 'true' but current is 'false'"
    match = re.search(r"for (queue|exchange) '([^']*)' in vhost '([^']*)'", text)
    if not match:
        return f"The broker refused a declaration: {text}"
    kind, name, vhost = match.groups()
    detail = text.split(" - ", 1)[-1]
    api = settings.management_base()
    ui = api[: -len("api/")] if api.endswith("/api/") else api
    if kind == "queue":
        remove = f"rabbitmqctl delete_queue -p '{vhost}' '{name}'"
    else:
        # rabbitmqctl cannot delete an exchange; the HTTP API can (curl asks for the password).
        user = settings.management_credentials()[0]
        remove = (f"curl -u {user} -X DELETE {api}exchanges/{quote(vhost, safe='')}/{quote(name, safe='')}")
    return (
        f"The {kind} '{name}' (vhost '{vhost}') already exists with other arguments ({detail}). "
        f"An earlier run or another lesson declared it differently. Remove it and run again: {remove} "
        f"(or delete it in the management UI, {ui})."
    )


def _channel_closed(code: int, text: str) -> str:
    if code == 406:
        return _precondition(text)
    if code == 404:
        return f"The broker said NOT_FOUND: {text.split(' - ', 1)[-1]}. Declare it first (or start the role that declares it)."
    if code == 403:
        return f"The broker refused access: {text.split(' - ', 1)[-1]}. This user lacks the permission for that."
    return f"The broker closed the channel ({code}): {text}"


def explain(exc: BaseException) -> str | None:
    """A learner-facing sentence for an expected failure, or None."""
    if isinstance(exc, CourseError):
        return str(exc)
    text = (_explain_pika(exc) or _explain_celery(exc) or _explain_redis(exc) or _explain_http(exc)
            or _explain_port_taken(exc))
    if text is None and isinstance(exc, ConnectionRefusedError):
        return f"Connection refused ({exc}). Is the stack up? Run 'make doctor'."
    return text


def _explain_pika(exc: BaseException) -> str | None:
    try:
        import pika.exceptions as pe
    except ImportError:  # pragma: no cover - pika is a dependency
        return None
    url = settings.redact(settings.AMQP_URL)
    if isinstance(exc, pe.ProbableAuthenticationError | pe.AuthenticationError):
        return f"RabbitMQ at {url} refused the credentials (wrong user or password). {FIX_CREDENTIALS}"
    if isinstance(exc, pe.ProbableAccessDeniedError):
        return (
            f"RabbitMQ at {url} refused access to vhost '{settings.vhost()}': it does not exist "
            "or the user has no permission on it. Check the path of AMQP_URL."
        )
    if isinstance(exc, pe.ConnectionClosedByBroker):
        if exc.reply_code == 403:
            return f"RabbitMQ at {url} refused the login: {exc.reply_text}. {FIX_CREDENTIALS}"
        return f"RabbitMQ closed the connection ({exc.reply_code} {exc.reply_text})."
    if isinstance(exc, pe.ChannelClosedByBroker):
        return _channel_closed(exc.reply_code, exc.reply_text)
    if isinstance(exc, pe.AMQPConnectionError):
        return f"Cannot reach RabbitMQ at {url} ({_first_reason(exc)}). {START_RABBITMQ}"
    return None


def _first_reason(exc: BaseException) -> str:
    # pika wraps the socket error a few layers deep; the innermost one says it best.
    reason = exc
    while reason.args and isinstance(reason.args[0], BaseException):
        reason = reason.args[0]
    text = str(reason) or type(reason).__name__
    return "connection refused" if "refused" in text.lower() else text


def _explain_celery(exc: BaseException) -> str | None:
    try:
        from kombu.exceptions import OperationalError
    except ImportError:  # pragma: no cover
        return None
    from celery.exceptions import TimeoutError as ResultTimeout

    configured = os.environ.get("CELERY_CONFIG_MODULE")
    if isinstance(exc, ModuleNotFoundError) and ("has no attribute" in str(exc) or (
            configured and exc.name and configured.startswith(exc.name))):
        # How Celery's config_from_object("pkg.name") says that pkg has no module 'name', or
        # plain Python that the module CELERY_CONFIG_MODULE names does not exist.
        return (
            f"Celery cannot import the configuration module ({exc}). Check its dotted name "
            "(and CELERY_CONFIG_MODULE, if you set it)."
        )
    if isinstance(exc, ResultTimeout):
        return (
            f"No result arrived in time ({exc}). Is a worker running for this lesson and "
            "consuming its queue? A task stays PENDING until a worker takes it "
            "(start one with 'make lesson-N ROLE=worker')."
        )
    if isinstance(exc, OperationalError):
        text = str(exc)
        if "ACCESS_REFUSED" in text or "403" in text:
            return f"RabbitMQ at {settings.redact(settings.AMQP_URL)} refused the credentials. {FIX_CREDENTIALS}"
        if "redis" in text.lower() or "6379" in text:
            return f"Cannot reach Redis at {settings.redact(settings.REDIS_URL)} ({text}). {START_REDIS}"
        return f"Cannot reach the broker at {settings.redact(settings.AMQP_URL)} ({text}). {START_RABBITMQ}"
    return None


def _explain_redis(exc: BaseException) -> str | None:
    try:
        import redis.exceptions as re_
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, re_.AuthenticationError):
        return f"Redis at {settings.redact(settings.REDIS_URL)} refused the password. Check REDIS_URL."
    if isinstance(exc, re_.ConnectionError):
        return f"Cannot reach Redis at {settings.redact(settings.REDIS_URL)} ({exc}). {START_REDIS}"
    return None


def _explain_http(exc: BaseException) -> str | None:
    try:
        import requests
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, requests.RequestException) and (management := _explain_management(exc)):
        return management
    if isinstance(exc, requests.HTTPError) and (flower := _explain_flower(exc)):
        return flower
    if isinstance(exc, requests.ConnectionError):
        url = exc.request.url if exc.request is not None else "the server"
        return f"Nothing answers at {settings.redact(url)}. Run 'make doctor' to see which service is down."
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        response = exc.response
        if response.status_code == 401:
            return f"{settings.redact(response.url)} answered 401: the user or password is wrong."
        return f"{settings.redact(response.url)} answered {response.status_code}: {response.text[:200]}"
    return None


FIX_MANAGEMENT = (
    "Enable the plugin with 'rabbitmq-plugins enable rabbitmq_management' (the compose image has it) "
    "or start the stack with 'make up', and check MANAGEMENT_URL."
)


def _explain_management(exc) -> str | None:
    """The management HTTP API down, or refusing the credentials of MANAGEMENT_URL."""
    import requests

    url = getattr(exc.request, "url", None) or ""
    base = settings.management_base()
    if not url.startswith(base):
        return None
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return f"The RabbitMQ management API does not answer at {base}. {FIX_MANAGEMENT}"
    response = getattr(exc, "response", None)
    if isinstance(exc, requests.HTTPError) and response is not None and response.status_code == 401:
        user = settings.management_credentials()[0]
        return (f"The RabbitMQ management API at {base} refused user '{user}' (401: wrong user or "
                "password). Fix the user and password in MANAGEMENT_URL "
                "(default http://course:course@127.0.0.1:15672/api/).")
    return None


def _explain_flower(exc) -> str | None:
    """Flower's API refusing the credentials of FLOWER_BASIC_AUTH."""
    response = exc.response
    base = settings.FLOWER_URL.rstrip("/")
    if response is None or response.status_code != 401 or not response.url.startswith(base):
        return None
    path = response.url[len(base):].split("?", 1)[0]
    return (f"Flower at {settings.FLOWER_URL} answered 401 Unauthorized to {path}: the user or "
            "password is wrong (or missing). Set FLOWER_BASIC_AUTH=user:password to what Flower "
            "was started with (the lesson's default is course:course).")


def _explain_port_taken(exc: BaseException) -> str | None:
    """A server that cannot listen: its port is taken (Flower, started by the harness)."""
    if not (isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE):
        return None
    if "flower" in sys.argv[1:]:  # `celery ... flower`: it listens on the port of FLOWER_URL
        port = urlsplit(settings.FLOWER_URL).port or 5555
        return (f"Port {port} on 127.0.0.1 is already taken, so Flower cannot listen there: another "
                "Flower (the compose stack's 'flower' service, or an earlier run) or another "
                "program uses it. Stop it (for the compose one: 'docker compose stop flower'), or "
                "give this lesson another port: FLOWER_URL=http://127.0.0.1:5556 make lesson-19.")
    return (f"The port is already taken ({exc.strerror}): another program, or an earlier run of "
            "this one, listens there. Stop it, or choose another port.")
