"""Lesson 0, the stack check: is everything the course needs there, and what is it made of?

It asks RabbitMQ's management API what the node is (version, Erlang, node name, listeners,
config files, data and log folders, plugins), logs in over AMQP with pika, and pings Redis. It
works the same whether RabbitMQ runs from a package, a Docker container or a cloud service.

    python check_stack.py
"""

import os
import sys
import time

import pika
import redis
import requests

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
MANAGEMENT_URL = os.environ.get("MANAGEMENT_URL", "http://course:course@127.0.0.1:15672/api/")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# What the management API tells about a node once the node has sent it its statistics: for a
# few seconds after a node starts (about 5 s on RabbitMQ 3.10 and 4.3), /api/nodes/NAME
# answers without them, and its running applications lack the plugins for 5 s more.
NODE_STATS = ("os_pid", "db_dir", "log_files", "enabled_plugins", "applications")
STATS_DEADLINE = 30  # seconds


def show(label, value):
    print(f"  {label:<15} {value}")


def check_management():
    # requests takes the user and password from the URL itself.
    overview = requests.get(MANAGEMENT_URL + "overview", timeout=5)
    overview.raise_for_status()
    overview = overview.json()
    node = node_stats(overview["node"])
    print(f"RabbitMQ, as its management API ({MANAGEMENT_URL.split('@')[-1]}) describes it:")
    show("version", f"RabbitMQ {overview['rabbitmq_version']} on Erlang {overview['erlang_version']}")
    show("node", f"{overview['node']} (cluster name '{overview['cluster_name']}', OS process {node['os_pid']})")
    show("listeners", ", ".join(f"{item['protocol']} {item['ip_address']}:{item['port']}"
                                for item in overview["listeners"]))
    show("config files", ", ".join(node.get("config_files") or ["(none: built-in defaults)"]))
    show("data folder", node["db_dir"])
    show("log files", ", ".join(node["log_files"]))
    running = sorted(app["name"] for app in node["applications"] if app["name"].startswith("rabbitmq_"))
    show("plugins", f"enabled: {', '.join(node['enabled_plugins']) or 'none'}; running: {', '.join(running)}")


def node_stats(name):
    """GET /api/nodes/NAME, once the node's statistics are in it (a poll with a deadline)."""
    deadline = time.monotonic() + STATS_DEADLINE
    said = False
    while True:
        node = requests.get(MANAGEMENT_URL + "nodes/" + name, timeout=5)
        node.raise_for_status()
        node = node.json()
        missing = [key for key in NODE_STATS if key not in node]
        if not missing:  # the enabled plugins show among its applications one report later
            running = {app["name"] for app in node["applications"]}
            missing = [f"{plugin} running" for plugin in node["enabled_plugins"] if plugin not in running]
        if not missing:
            return node
        if time.monotonic() > deadline:
            raise StatsMissing(f"the management API answers, but {STATS_DEADLINE} s after the first "
                               f"try it still has not published {name}'s statistics ({', '.join(missing)})")
        if not said:
            print(f" [*] Waiting up to {STATS_DEADLINE} s for the management API to publish {name}'s "
                  f"statistics ({', '.join(missing)}): a node that has just started sends them "
                  "within seconds.", flush=True)
            said = True
        time.sleep(0.5)


class StatsMissing(Exception):
    pass


def check_amqp():
    params = pika.URLParameters(AMQP_URL)
    connection = pika.BlockingConnection(params)
    print(f" [ok] AMQP: user '{params.credentials.username}' logged in at {params.host}:{params.port}, "
          f"vhost '{params.virtual_host}'")
    connection.close()


def check_redis():
    info = redis.Redis.from_url(REDIS_URL, socket_timeout=5).info("server")
    print(f" [ok] Redis {info['redis_version']} answers at {REDIS_URL.split('@')[-1]}")


def main(argv=None):
    failed = 0
    for name, check in (("the management API", check_management), ("AMQP", check_amqp),
                        ("Redis", check_redis)):
        try:
            check()
        except StatsMissing as exc:
            print(f" [!] {exc}. Is the node overloaded? Look at 'rabbitmq-diagnostics status'.")
            failed += 1
        except (requests.RequestException, KeyError) as exc:
            print(f" [!] {name} at {MANAGEMENT_URL.split('@')[-1]} does not answer as it should ({exc}). "
                  "Is the management plugin enabled ('rabbitmq-plugins enable rabbitmq_management')?")
            failed += 1
        except pika.exceptions.AMQPError as exc:
            print(f" [!] RabbitMQ does not accept {AMQP_URL.split('@')[-1]} ({exc!r}). Is it running, "
                  "and does the user exist ('make broker-user')?")
            failed += 1
        except redis.RedisError as exc:
            print(f" [!] Redis does not answer at {REDIS_URL.split('@')[-1]} ({exc}). Is it running?")
            failed += 1
    print(" [x] The stack is ready." if not failed else f" [x] {failed} check(s) failed: see above.")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
