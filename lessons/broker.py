"""Broker and Celery helpers for demos and tests: a second AMQP client that looks at queues and
tidies up beside the roles, and the environment the course gives Celery processes."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pika
import pika.exceptions

from lessons import settings


@contextmanager
def channel(url: str | None = None):
    """A short-lived connection and channel, closed on exit."""
    connection = pika.BlockingConnection(pika.URLParameters(url or settings.AMQP_URL))
    try:
        yield connection.channel()
    finally:
        if connection.is_open:
            connection.close()


def queue_depth(name: str) -> int | None:
    """Messages ready in the queue right now (None when it does not exist).

    Asked with a passive declare, which answers at once; the management API's counts lag by
    up to five seconds.
    """
    try:
        with channel() as ch:
            return ch.queue_declare(queue=name, passive=True).method.message_count
    except pika.exceptions.ChannelClosedByBroker as exc:
        if exc.reply_code == 404:
            return None
        raise


def queue_exists(name: str) -> bool:
    return queue_depth(name) is not None


def _delete_existing(kind: str, names: tuple[str, ...]) -> list[str]:
    """Delete the queues or exchanges among `names` that exist; return those that did."""
    deleted = []
    with channel() as ch:
        for name in names:
            try:  # a passive declare answers 404 when there is nothing to delete
                getattr(ch, f"{kind}_declare")(name, passive=True)
            except pika.exceptions.ChannelClosedByBroker:
                ch = ch.connection.channel()
                continue
            getattr(ch, f"{kind}_delete")(name)
            deleted.append(name)
    return deleted


def delete_queues(*names: str) -> list[str]:
    """Delete the queues that exist; return the names of those that did."""
    return _delete_existing("queue", names)


def delete_exchanges(*names: str) -> list[str]:
    """Delete the exchanges that exist; return the names of those that did."""
    return _delete_existing("exchange", names)


def celery_env(extra: dict | None = None) -> dict:
    """The environment for a Celery process the harness starts (plus `extra`)."""
    env = dict(extra or {})
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # CI and containers run as root; Celery then warns on every start. The lessons use JSON
        # only (no pickle), which is what that warning guards against, so silence it there.
        # Match the message: a category such as celery.exceptions.SecurityWarning cannot be
        # imported when Python reads PYTHONWARNINGS at startup ("Invalid -W option ignored").
        env.setdefault("PYTHONWARNINGS", "ignore:You're running the worker with superuser privileges")
    return env
