"""Exercise 10: a queue report from the management HTTP API.

    python queue_report.py                        # the queues whose names start with exercise10.
    python queue_report.py --prefix lesson        # others

One line per queue whose name starts with --prefix, sorted by name:
    exercise10.orders: 3 ready, 0 unacked, 0 consumers
The reference solution.
"""

import argparse
import os
from urllib.parse import quote, unquote, urlsplit

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
    response = session.get(base + "queues/" + quote(vhost, safe=""), timeout=5)
    response.raise_for_status()
    for queue in sorted(response.json(), key=lambda q: q["name"]):
        if queue["name"].startswith(args.prefix):
            # A queue the statistics have not reached yet has no message fields: 0 then.
            print(f"{queue['name']}: {queue.get('messages_ready', 0)} ready, "
                  f"{queue.get('messages_unacknowledged', 0)} unacked, {queue.get('consumers', 0)} consumers")


if __name__ == "__main__":
    main()
