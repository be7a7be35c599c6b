"""Exercise 0, a preflight check: before a deploy, make sure the broker is what the app needs.

    python preflight.py --plugin rabbitmq_management --min-version 3.10
    python preflight.py --plugin rabbitmq_shovel && echo "go ahead"

The reference solution: exit 1, with a line that says why, when the plugin is not enabled or the
version is too low; exit 0 only when both hold.
"""

import argparse
import os
import sys

import requests

MANAGEMENT_URL = os.environ.get("MANAGEMENT_URL", "http://course:course@127.0.0.1:15672/api/")


def as_numbers(version):
    """'3.10.8' -> (3, 10, 8): tuples of numbers compare as versions do ('3.10' > '3.9')."""
    return tuple(int(part) for part in version.split("+")[0].split("-")[0].split("."))


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

    problems = []
    if args.plugin not in enabled:
        problems.append(f"the plugin {args.plugin} is not enabled (rabbitmq-plugins enable {args.plugin})")
    if as_numbers(version) < as_numbers(args.min_version):
        problems.append(f"RabbitMQ {version} is older than {args.min_version}")
    for problem in problems:
        print(f" [!] Not ready: {problem}")
    if problems:
        sys.exit(1)
    print(f" [x] Ready: {args.plugin} is enabled and RabbitMQ {version} is at least {args.min_version}")


if __name__ == "__main__":
    main()
