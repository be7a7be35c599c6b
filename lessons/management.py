"""A small client for RabbitMQ's management HTTP API, used to look at the broker from outside.

Lessons and tests use it to show what the broker holds (queues, bindings, messages) without
going through the AMQP connection under test.
"""

from __future__ import annotations

import time
from urllib.parse import quote

import requests

from lessons import settings


class Management:
    def __init__(self, url: str | None = None, vhost: str | None = None, timeout: float = 5.0):
        url = url or settings.MANAGEMENT_URL
        self.base = settings.management_base(url)
        self.vhost = settings.vhost() if vhost is None else vhost
        self.session = requests.Session()
        self.session.auth = settings.management_credentials(url)
        self.timeout = timeout

    # -- plumbing ---------------------------------------------------------------------------
    def _url(self, *parts: str) -> str:
        return self.base + "/".join(quote(p, safe="") for p in parts)

    def get(self, *parts: str, **params):
        response = self.session.get(self._url(*parts), params=params or None, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def put(self, *parts: str, body: dict | None = None) -> None:
        response = self.session.put(self._url(*parts), json=body or {}, timeout=self.timeout)
        response.raise_for_status()

    def post(self, *parts: str, body: dict):
        response = self.session.post(self._url(*parts), json=body, timeout=self.timeout)
        response.raise_for_status()
        return response.json() if response.content else None

    def delete(self, *parts: str, missing_ok: bool = True) -> None:
        response = self.session.delete(self._url(*parts), timeout=self.timeout)
        if response.status_code == 404 and missing_ok:
            return
        response.raise_for_status()

    # -- the broker, seen from outside ------------------------------------------------------
    def overview(self) -> dict:
        return self.get("overview")

    def queues(self) -> list[dict]:
        return self.get("queues", self.vhost)

    def queue(self, name: str) -> dict | None:
        """The queue's details; None if there is no such queue. RabbitMQ 4.3 was seen to answer 500
        for a moment about an exclusive queue it was deleting (its connection just closed): such an
        answer is asked again, for up to 2 s."""
        deadline = time.monotonic() + 2
        while True:
            try:
                return self.get("queues", self.vhost, name)
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else None
                if status == 404:
                    return None
                if status != 500 or time.monotonic() >= deadline:
                    raise
            time.sleep(0.1)

    def exchanges(self) -> list[dict]:
        return self.get("exchanges", self.vhost)

    def bindings(self, exchange: str | None = None) -> list[dict]:
        if exchange is None:
            return self.get("bindings", self.vhost)
        return self.get("exchanges", self.vhost, exchange, "bindings", "source")

    def peek(self, queue: str, count: int = 1) -> list[dict]:
        """Fetch messages and put them back (the 'Get messages' button of the UI)."""
        body = {"count": count, "ackmode": "ack_requeue_true", "encoding": "auto", "truncate": 50000}
        return self.post("queues", self.vhost, queue, "get", body=body)

    def delete_queue(self, name: str) -> None:
        self.delete("queues", self.vhost, name)

    def delete_exchange(self, name: str) -> None:
        self.delete("exchanges", self.vhost, name)

    # -- virtual hosts, for throwaway test sandboxes ----------------------------------------
    def create_vhost(self, name: str, user: str | None = None) -> None:
        self.put("vhosts", name)
        user = user or self.session.auth[0]
        self.put("permissions", name, user, body={"configure": ".*", "write": ".*", "read": ".*"})

    def delete_vhost(self, name: str) -> None:
        self.delete("vhosts", name)
