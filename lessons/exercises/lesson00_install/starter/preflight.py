"""Exercise 0, a preflight check: before a deploy, make sure the broker is what the app needs.

    python preflight.py --plugin rabbitmq_management --min-version 3.10
    python preflight.py --plugin rabbitmq_shovel && echo "go ahead"

It asks RabbitMQ's management API (MANAGEMENT_URL) for the server's version and the plugins
enabled on its node, and prints them. A deploy script runs it and goes on only when it exits 0.

TODO: it always exits 0, even when the broker does not have what the app needs. Make it exit 1,
with a line that says why, when
1. the plugin given with --plugin is not enabled on the node, or
2. the server's version is lower than --min-version (compare the numbers: 3.10 is higher than 3.9).
Exit 0 only when both hold.
"""

import argparse
import os

import requests

MANAGEMENT_URL = os.environ.get("MANAGEMENT_URL", "http://course:course@127.0.0.1:15672/api/")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check that the broker has a plugin and a minimum version.")
    parser.add_argument("--plugin", default="rabbitmq_management", help="a plugin the app needs")
    parser.add_argument("--min-version", default="3.8", help="the lowest RabbitMQ version the app supports")
    args = parser.parse_args(argv)

    # requests takes the user and password from the URL itself.
    overview = requests.get(MANAGEMENT_URL + "overview", timeout=5)
    overview.raise_for_status()
    version, node_name = overview.json()["rabbitmq_version"], overview.json()["node"]
    node = requests.get(MANAGEMENT_URL + "nodes/" + node_name, timeout=5)
    node.raise_for_status()
    enabled = node.json()["enabled_plugins"]
    print(f" [.] {node_name} runs RabbitMQ {version}; enabled plugins: {', '.join(sorted(enabled))}")

    # TODO 1: is args.plugin among the enabled plugins? If not: say so and exit 1.
    # TODO 2: is `version` at least args.min_version, compared as numbers? If not: say so and exit 1.
    print(f" [x] Ready: {args.plugin} is enabled and RabbitMQ {version} is at least {args.min_version}")


if __name__ == "__main__":
    main()
