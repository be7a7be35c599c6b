"""Lesson 10, a live queue-depth watcher: the management API's queue list, refreshed.

On a terminal it redraws a table in place (rich's Live); piped into a file or another program it
prints a plain line whenever a queue's numbers change. The management plugin refreshes its
statistics every 5 s by default (collect_statistics_interval), so the numbers move in steps.

    python watch_queues.py
    python watch_queues.py --until-drained lesson10.tasks
"""

import argparse
import sys
import time
from urllib.parse import quote

import requests
from rich.live import Live
from rich.table import Table

from management_api import API, AUTH, VHOST

COLUMNS = "name,messages,messages_ready,messages_unacknowledged,consumers,message_stats"


def fetch_queues():
    """[(name, ready, unacked, consumers, published, publish rate, deliver rate)] of our vhost."""
    response = requests.get(f"{API}queues/{quote(VHOST, safe='')}", auth=AUTH,
                            params={"columns": COLUMNS}, timeout=5)
    response.raise_for_status()
    rows = []
    for q in sorted(response.json(), key=lambda q: q["name"]):
        stats = q.get("message_stats", {})
        rows.append((q["name"], q.get("messages_ready", 0), q.get("messages_unacknowledged", 0),
                     q.get("consumers", 0), stats.get("publish", 0),
                     stats.get("publish_details", {}).get("rate", 0.0),
                     stats.get("deliver_get_details", {}).get("rate", 0.0)))
    return rows


def as_table(rows):
    table = Table(title=f"Queues in vhost '{VHOST}' (Ctrl+C to stop)", title_justify="left")
    for column in ("queue", "ready", "unacked", "consumers", "publish/s", "deliver/s"):
        table.add_column(column, justify="left" if column == "queue" else "right")
    for name, ready, unacked, consumers, _, publish, deliver in rows:
        table.add_row(name, str(ready), str(unacked), str(consumers), f"{publish:.1f}", f"{deliver:.1f}")
    return table


def depth(rows, queue):
    """Ready + unacked messages of the queue in these rows (None if it is not there)."""
    return next((ready + unacked for name, ready, unacked, *_ in rows if name == queue), None)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Watch the depth of the queues in the vhost of AMQP_URL.")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between refreshes (default 1)")
    parser.add_argument("--until-drained", metavar="QUEUE", help="stop once this queue is empty again")
    parser.add_argument("--duration", type=float, default=0, help="stop after this many seconds (default: never)")
    args = parser.parse_args(argv)
    stop_at = time.monotonic() + args.duration if args.duration else None
    seen_full = False  # "drained" means: we saw messages in the queue, and now it is empty

    def finished(rows):
        nonlocal seen_full
        if args.until_drained:
            seen_full = seen_full or bool(depth(rows, args.until_drained))
            if seen_full and depth(rows, args.until_drained) == 0:
                return True
        return stop_at is not None and time.monotonic() > stop_at

    print(f" [*] Watching the queues of vhost '{VHOST}' every {args.interval:g} s. To exit press CTRL+C")
    rows = fetch_queues()
    if sys.stdout.isatty():
        with Live(as_table(rows), refresh_per_second=4) as live:
            while not finished(rows):
                time.sleep(args.interval)
                rows = fetch_queues()
                live.update(as_table(rows))
    else:
        seen = {}
        while True:
            for name, ready, unacked, consumers, _, publish, deliver in rows:
                if seen.get(name) != (ready, unacked, consumers):
                    seen[name] = (ready, unacked, consumers)
                    print(f" [.] {time.strftime('%H:%M:%S')} {name}: ready {ready}, unacked {unacked}, "
                          f"consumers {consumers}, publish {publish:.1f}/s, deliver {deliver:.1f}/s")
            if finished(rows):
                break
            time.sleep(args.interval)
            rows = fetch_queues()
    if args.until_drained and seen_full and depth(rows, args.until_drained) == 0:
        print(f" [x] {args.until_drained} is drained: nothing ready, nothing unacked")


if __name__ == "__main__":
    main()
