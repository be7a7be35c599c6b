"""Lesson 10, the management HTTP API from Python: the overview, the queues, the connections.

Everything the web UI shows comes from this JSON API (http://127.0.0.1:15672/api/, documented at
/api/index.html on the same server); here it is read with `requests`.

    python api_tour.py
"""

import argparse
from urllib.parse import quote

import requests

from management_api import API, AUTH, VHOST


def get(path, **params):
    response = requests.get(API + path, auth=AUTH, params=params or None, timeout=5)
    response.raise_for_status()  # 401: wrong user or password; connection refused: plugin off
    return response.json()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Read the broker's overview, queues and connections.")
    parser.parse_args(argv)
    name = VHOST

    overview = get("overview")
    totals = overview["object_totals"]
    print(f" [x] GET {API}overview: RabbitMQ {overview['rabbitmq_version']} on Erlang "
          f"{overview['erlang_version']}, node {overview['node']}")
    print(f"     {totals['connections']} connections, {totals['channels']} channels, {totals['queues']} queues, "
          f"{totals['exchanges']} exchanges, {totals['consumers']} consumers (all vhosts)")

    queues = get(f"queues/{quote(name, safe='')}")
    print(f" [x] GET {API}queues/{quote(name, safe='')}: {len(queues)} queues in vhost '{name}'")
    print(f"     {'queue':<24} {'type':<8} {'ready':>6} {'unacked':>8} {'consumers':>9} {'publish/s':>10} {'deliver/s':>10}")
    for q in queues:
        stats = q.get("message_stats", {})
        publish = stats.get("publish_details", {}).get("rate", 0.0)
        deliver = stats.get("deliver_get_details", {}).get("rate", 0.0)
        print(f"     {q['name']:<24} {q.get('type', 'classic'):<8} {q.get('messages_ready', 0):>6} "
              f"{q.get('messages_unacknowledged', 0):>8} {q.get('consumers', 0):>9} {publish:>10.1f} {deliver:>10.1f}")

    connections = [c for c in get("connections") if c["vhost"] == name]
    print(f" [x] GET {API}connections: {len(connections)} connections to vhost '{name}'")
    for c in connections:
        client = c.get("client_properties", {})
        label = client.get("connection_name", c["name"])
        # 'channels' and 'state' come with the statistics: a brand-new connection may lack them.
        print(f"     {label!r}: user {c['user']}, {c.get('channels', '?')} channel(s), "
              f"{client.get('product', '?')} {client.get('version', '')}, {c.get('state', '?')}")


if __name__ == "__main__":
    main()
