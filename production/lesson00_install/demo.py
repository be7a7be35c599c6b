"""Lesson 0's story in one terminal: what the broker the course talks to is made of, plugins
switched on and off on a node of our own, and Celery's own checks.

    make lesson-0            (or: python -m lessons run 0)

Nothing here changes the course's broker: the shared node is only read (management API,
read-only `rabbitmq-diagnostics` calls). Plugins are enabled and disabled on `lesson0@localhost`,
a node the demo starts for itself (AMQP 5680, management 15680, data in a temporary folder) and
stops at the end, also on Ctrl+C. Without a local RabbitMQ install (Docker only), the demo shows
what the API tells and says why it skips the rest.
"""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from lessons import nodes
from lessons.management import Management
from lessons.story import Story
from lessons.waiting import eventually, wait_until

LESSON = "production.lesson00_install"
PORT = 5680  # the lesson's own node: AMQP 5680, management 15680, distribution 25680
CREDENTIALS = (nodes.USER, nodes.PASSWORD)


def shared_cli(install: nodes.Install, tool: str, node: str, *args: str) -> subprocess.CompletedProcess:
    """A read-only CLI call on the course's own node (it is never changed)."""
    return subprocess.run(install.command(tool, "-q", "-n", node, *args), capture_output=True,
                          text=True, timeout=60)


def api_status(port: int, path: str) -> int:
    """HTTP status of GET /api/<path> on a local management listener (0: nothing listens)."""
    try:
        return requests.get(f"http://127.0.0.1:{port}/api/{path}", auth=CREDENTIALS, timeout=5).status_code
    except requests.ConnectionError:
        return 0


def show_file(story: Story, path, label: str) -> None:
    story.say(f"  {label}: {path}")
    for line in path.read_text().strip().splitlines():
        story.say(f"      {line}")


def main(argv=None) -> int:
    with Story(0, argv) as story:
        story.start_fresh(queues=["lesson00_install"])

        story.section("The stack the course talks to (any install: package, Docker, cloud)")
        check = story.run("check", f"{LESSON}.check_stack")
        overview = Management().overview()
        version, node_name = overview["rabbitmq_version"], overview["node"]
        story.check(f"RabbitMQ {version} on Erlang" in check.output and "The stack is ready" in check.output,
                    f"check_stack: RabbitMQ {version} ({node_name}) answers its management API and AMQP; Redis answers")

        story.section(f"The broker's own view: rabbitmq-diagnostics on {node_name} (read-only)")
        try:
            install = nodes.install_for_shared_broker()
        except nodes.NodeError:
            install = None
            story.say("No RabbitMQ is installed on this machine (the broker runs in Docker or elsewhere), so "
                      "its command line tools and a node of the lesson's own are not available here: the "
                      "diagnostics and plugin parts are skipped. With the compose stack, run them inside the "
                      "container: 'docker compose exec rabbitmq rabbitmq-diagnostics status' and "
                      "'docker compose exec rabbitmq rabbitmq-plugins list'.")
        status = None
        if install is not None:
            story.say(f"  $ rabbitmq-diagnostics -n {node_name} status --formatter json   ({install.label})")
            result = shared_cli(install, "rabbitmq-diagnostics", node_name, "status", "--formatter", "json")
            try:
                status = json.loads(result.stdout)
            except json.JSONDecodeError:
                story.say(f"  The CLI could not reach {node_name} from here ({(result.stderr or result.stdout).strip()[:200]}); "
                          "the broker may run in a container. The diagnostics part is skipped.")
        if status is not None:
            for label, value in (
                ("OS process", status["pid"]), ("Erlang", status["erlang_version"].split(" [")[0]),
                ("data folder", status["data_directory"]), ("config files", ", ".join(status["config_files"])),
                ("log files", ", ".join(status["log_files"])), ("plugins file", status["enabled_plugin_file"]),
                ("listeners", ", ".join(f"{item['protocol']} {item['interface']}:{item['port']}"
                                        for item in status["listeners"])),
            ):
                story.say(f"      {label:<13} {value}")
            # check_stack waited for the node's statistics; a node started a moment ago may still lack them.
            node_info = wait_until(lambda: (info := Management().get("nodes", node_name)).get("os_pid") and info,
                                   timeout=30, what=f"the management API to publish {node_name}'s os_pid")
            story.check(status["rabbitmq_version"] == version and str(status["pid"]) == str(node_info["os_pid"]),
                        f"the CLI and the management API describe the same node: RabbitMQ {version}, "
                        f"OS process {status['pid']}")
            story.say(f"  $ rabbitmq-diagnostics -n {node_name} erlang_cookie_sources")
            sources = shared_cli(install, "rabbitmq-diagnostics", node_name, "erlang_cookie_sources").stdout
            cookie = re.search(r"Cookie file path: (\S+)", sources)
            story.say(f"      the CLI reads its Erlang cookie from {cookie.group(1) if cookie else '?'} (the lesson's "
                      "own node shows below what a wrong one does)")
            plugins_file = (install.chroot or Path("/")) / status["enabled_plugin_file"].lstrip("/")
            if plugins_file.is_file():
                show_file(story, plugins_file, "enabled_plugins, the file rabbitmq-plugins edits")

        if install is not None:
            own_node(story, install)

        story.section("Celery's own checks")
        story.say("  $ celery -A tasks report        (in the lesson's folder, as every command below)")
        report = story.run("report", "celery", "-A", "tasks", "report")
        story.check(re.search(r"software -> celery:\S+", report.output) is not None
                    and re.search(r"broker_url: 'amqp://\w+:\*+@", report.output) is not None,
                    "celery report: the versions of Celery, kombu and Python, and the settings with the "
                    "password hidden (safe to paste into a bug report)")
        worker = story.start_worker("worker", "tasks", "--concurrency", "1",
                                    "--without-mingle", "--without-gossip", echo=False)
        story.say("  $ celery -A tasks inspect ping --timeout 5")
        ping = story.run("inspect", "celery", "-A", "tasks", "inspect", "ping", "--timeout", "5",
                         "--destination", worker_name(worker))
        story.check("pong" in ping.output, "celery inspect ping: the worker answered pong over the broker")
        smoke = story.run("smoke", f"{LESSON}.smoke_test")
        story.check("add(2, 2) = 4" in smoke.output,
                    "smoke_test: add(2, 2) went through the broker to the worker, and 4 came back through Redis")
    return story.exit_code


def worker_name(worker) -> str:
    """The worker's node name (`worker@HOST`), from its 'ready' line."""
    match = worker.matches(r"(worker@\S+) ready")
    return match[0].group(1) if match else "worker@localhost"


def cookie(story: Story, node: nodes.Node) -> None:
    """The CLI gets in with the right Erlang cookie; with a wrong one the node refuses it."""
    story.say(f"  $ rabbitmq-diagnostics -n {node.node} ping")
    right = node.diagnostics("ping", check=False)
    story.say(f"      {(right.stdout or right.stderr).strip()} (exit {right.returncode})")
    story.say(f"  $ rabbitmq-diagnostics -n {node.node} --erlang-cookie not-the-cookie ping")
    wrong = node.diagnostics("--erlang-cookie", "not-the-cookie", "ping", check=False, timeout=90)
    said = " ".join((wrong.stderr or wrong.stdout).split())
    story.say(f"      {said} (exit {wrong.returncode})")
    # The node's side of it: it logs every CLI (an Erlang node 'rabbitmqcli-...') it turned away.
    refusal = re.compile(r"Connection attempt from node '(rabbitmqcli-\S+)' rejected\. Invalid challenge reply")
    rejected = eventually(lambda: refusal.search(node.log_text()), timeout=10) and refusal.search(node.log_text())
    if rejected:
        story.say(f"      {node.node}'s log: {rejected.group(0)}")
    story.check(right.returncode == 0 and "Ping succeeded" in right.stdout and wrong.returncode != 0
                and "Failed to connect and authenticate" in said and bool(rejected),
                "the CLI got in with the node's Erlang cookie (ping succeeded); with a wrong one "
                "(--erlang-cookie) the node turned it away ('Invalid challenge reply' in its log) and "
                "the CLI said 'Failed to connect and authenticate'")


def own_node(story: Story, install: nodes.Install) -> None:
    node = nodes.Node("lesson0", PORT, install, plugins=(),
                      config=f"management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = {PORT + 10000}")
    story.cleanup(node.stop, always=True)  # also on Ctrl+C or a failed check
    story.section(f"Plugins, on a node of our own: {node.node} (AMQP {PORT}, no plugin enabled)")
    if nodes.port_taken(node.management_port):
        raise nodes.NodeError(nodes.ports_taken_sentence({node.node: [node.management_port]}))
    took = node.start()
    story.say(f"It started in {took:.1f} s. What an install is made of, in its folder {node.folder}:")
    story.say(f"  the Erlang VM runs as node {node.node} (RABBITMQ_NODENAME), with")
    show_file(story, node.folder / "rabbitmq.conf", "rabbitmq.conf (RABBITMQ_CONFIG_FILE)")
    show_file(story, node.folder / "enabled_plugins", "enabled_plugins (RABBITMQ_ENABLED_PLUGINS_FILE)")
    story.say(f"  mnesia/ holds its data (RABBITMQ_MNESIA_BASE), log/ its log: {', '.join(sorted(p.name for p in (node.folder / 'log').iterdir()))}")
    story.check(not nodes.port_taken(node.management_port) and nodes.port_taken(PORT),
                f"it accepts AMQP on {PORT}; nothing listens on {node.management_port} yet")
    cookie(story, node)

    def plugins(*args: str) -> str:
        story.say(f"  $ rabbitmq-plugins -n {node.node} {' '.join(args)}")
        started = time.monotonic()
        out = node.plugins_tool(*args).stdout
        story.say(f"    ({time.monotonic() - started:.1f} s)")
        return out

    plugins("enable", "rabbitmq_management")
    opened = eventually(lambda: api_status(node.management_port, "overview") == 200, timeout=30, interval=0.3)
    overview = requests.get(f"http://127.0.0.1:{node.management_port}/api/overview", auth=CREDENTIALS,
                            timeout=5).json() if opened else {}
    story.check(opened and overview.get("node") == node.node,
                f"enabling rabbitmq_management opened port {node.management_port}: its HTTP API answers for {node.node}, "
                "no restart needed")
    before = api_status(node.management_port, "shovels")
    plugins("enable", "rabbitmq_shovel", "rabbitmq_shovel_management")
    listing = plugins("list")
    for line in listing.splitlines():
        if re.search(r"\] rabbitmq_(management|management_agent|shovel|shovel_management|web_dispatch) ", line):
            story.say(f"      {line.rstrip()}")
    story.say("      ([E*] enabled by you and running; [e*] enabled because another plugin needs it)")
    show_file(story, node.folder / "enabled_plugins", "enabled_plugins now")
    story.check(before == 404 and api_status(node.management_port, "shovels") == 200
                and re.search(r"\[E\*\] rabbitmq_shovel ", listing) is not None,
                "enabling rabbitmq_shovel (and its management part) added /api/shovels: 404 before, 200 after")
    plugins("disable", "rabbitmq_shovel", "rabbitmq_shovel_management")
    story.check(api_status(node.management_port, "shovels") == 404
                and "rabbitmq_shovel" not in (node.folder / "enabled_plugins").read_text(),
                "disabling them took /api/shovels away again and removed them from enabled_plugins")
    story.say(f"Stopping {node.node} and removing its folder ...")
    node.stop()


if __name__ == "__main__":
    sys.exit(main())
