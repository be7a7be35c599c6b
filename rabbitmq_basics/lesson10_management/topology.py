"""Lesson 10, definitions export and a live topology diagram.

GET /api/definitions/<vhost> returns the vhost's exchanges, queues, bindings and policies as
JSON: the same file 'rabbitmqctl export_definitions' writes, and a backup you can import again.
From it this program draws the topology as a mermaid flowchart (paste it into a README, or into
https://mermaid.live).

    python topology.py
    python topology.py --out definitions.json
"""

import argparse
import json
import re
from urllib.parse import quote

import requests

from management_api import API, AUTH, VHOST


def node_id(kind, name):
    return kind + "_" + re.sub(r"\W", "_", name)


def mermaid(definitions):
    """A mermaid flowchart: exchanges as hexagons, queues as cylinders, bindings as arrows."""
    lines = ["flowchart LR"]
    for exchange in definitions["exchanges"]:
        lines.append(f'    {node_id("x", exchange["name"])}{{{{"{exchange["name"]}<br/>{exchange["type"]}"}}}}')
    for queue in definitions["queues"]:
        kind = queue.get("arguments", {}).get("x-queue-type", "classic")
        lines.append(f'    {node_id("q", queue["name"])}[("{queue["name"]}<br/>{kind}")]')
    for binding in definitions["bindings"]:
        kind = "q" if binding["destination_type"] == "queue" else "x"
        key = binding["routing_key"] or "(all)"
        lines.append(f'    {node_id("x", binding["source"])} -- "{key}" --> {node_id(kind, binding["destination"])}')
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Export a vhost's definitions and draw its topology.")
    parser.add_argument("--vhost", default=VHOST, help="the vhost (default: the one in AMQP_URL)")
    parser.add_argument("--out", help="also write the definitions JSON to this file")
    args = parser.parse_args(argv)

    response = requests.get(f"{API}definitions/{quote(args.vhost, safe='')}", auth=AUTH, timeout=5)
    response.raise_for_status()
    definitions = response.json()
    print(f" [x] GET {API}definitions/{quote(args.vhost, safe='')}: {len(definitions['exchanges'])} exchanges, "
          f"{len(definitions['queues'])} queues, {len(definitions['bindings'])} bindings, "
          f"{len(definitions.get('policies', []))} policies")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as file:
            json.dump(definitions, file, indent=2)
        print(f" [x] Wrote them to {args.out} (import with 'rabbitmqctl import_definitions {args.out}')")
    print("```mermaid")
    print(mermaid(definitions))
    print("```")


if __name__ == "__main__":
    main()
