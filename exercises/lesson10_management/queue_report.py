"""Exercise 10: a queue report from the management HTTP API.

    python queue_report.py                        # the queues whose names start with exercise10.
    python queue_report.py --prefix lesson        # others

TODO: ask the management API for the queues of the vhost (GET /api/queues/<vhost>) and print one
line per queue whose name starts with --prefix, sorted by name, exactly like this:
    exercise10.orders: 3 ready, 0 unacked, 0 consumers
(the queue's fields messages_ready, messages_unacknowledged and consumers).
"""

import argparse
import os
from urllib.parse import unquote, urlsplit

import requests

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
MANAGEMENT_URL = os.environ.get("MANAGEMENT_URL", "http://course:course@127.0.0.1:15672/api/")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print the queues of the vhost, from the management API.")
    parser.add_argument("--prefix", default="exercise10.", help="only queues whose names start with this")
    args = parser.parse_args(argv)

    # The API's address without the credentials; the credentials go to the session (basic auth).
    parts = urlsplit(MANAGEMENT_URL)
    base = f"{parts.scheme}://{parts.hostname}:{parts.port}{parts.path}"
    session = requests.Session()
    session.auth = (unquote(parts.username), unquote(parts.password))
    # The vhost is the path of AMQP_URL: "%2F" is "/", the default vhost.
    vhost = unquote(urlsplit(AMQP_URL).path[1:]) or "/"

    print(f" [*] Asking {base} (user {session.auth[0]!r}) for the queues of vhost {vhost!r} "
          f"whose names start with {args.prefix!r}")
    # TODO: GET the queues of `vhost` (quote it: "/" is "%2F" in the URL) and print the lines.


if __name__ == "__main__":
    main()
