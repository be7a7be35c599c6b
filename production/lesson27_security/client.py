"""Lesson 27, the client: kombu, then Celery, both over TLS; the result from a Redis with a password.

    python client.py
"""

from kombu import Connection

import tls
from tasks import app, monthly_report


def main():
    # kombu takes the same settings as Celery's broker_use_ssl.
    broker_url = app.conf.broker_url
    with Connection(broker_url, ssl=tls.kombu_ssl(broker_url)) as connection:
        connection.ensure_connection(max_retries=1)
        print(f" [x] kombu connected over TLS to {connection.as_uri()}")
    result = monthly_report.delay("2026-11")
    print(f" [x] Sent monthly_report('2026-11'): task {result.id}")
    print(f" [.] Result: {result.get(timeout=30)!r}")


if __name__ == "__main__":
    main()
