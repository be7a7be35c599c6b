"""Exercise 27: least privilege for a producer.

    python grant_producer.py --vhost shop --user shop-producer

An administrator's script: it sets what USER may do in VHOST, over the management HTTP API. The
user is the orders service's producer. It must be able to publish to the exchange 'orders', and
to do nothing else: no other exchange (the default exchange and 'orders-old' included), no
declaring or deleting queues and exchanges, no reading from any queue.

MANAGEMENT_URL holds an administrator's user and password (http://USER:PASSWORD@HOST:15672/api/),
so it comes from the environment only.
"""

import argparse
import os
import sys
from urllib.parse import quote

import requests

# Each is a regular expression matched against resource names (queues, exchanges). '' matches
# nothing. Unanchored, 'orders' would also match 'orders-old': anchor it.
PERMISSIONS = {
    "configure": "",       # declare and delete queues and exchanges: nothing
    "write": "^orders$",   # publish to an exchange (and bind a queue to one): 'orders' only
    "read": "",            # consume and get from a queue (and bind from an exchange): nothing
}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Set a producer's permissions in a vhost.")
    parser.add_argument("--vhost", required=True)
    parser.add_argument("--user", required=True)
    args = parser.parse_args(argv)

    api = os.environ.get("MANAGEMENT_URL")
    if not api:
        sys.exit("Set MANAGEMENT_URL (it holds an administrator's password, so it has no default in the code).")
    path = f"permissions/{quote(args.vhost, safe='')}/{quote(args.user, safe='')}"
    response = requests.put(api.rstrip("/") + "/" + path, json=PERMISSIONS, timeout=10)
    response.raise_for_status()
    print(f" [x] {args.user} in vhost {args.vhost!r}: configure {PERMISSIONS['configure']!r}, "
          f"write {PERMISSIONS['write']!r}, read {PERMISSIONS['read']!r}")


if __name__ == "__main__":
    main()
