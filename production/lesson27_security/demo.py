"""Lesson 27's story in one terminal: TLS, users and permissions, a Redis with a password.

    make lesson-27                  (or: python -m lessons run 27)
    make lesson-27 ARGS=--serve     only start the lesson's node and Redis, for several terminals

The shared broker is never touched. The lesson makes a throwaway CA and certificates in a
temporary folder, starts node l27@localhost with AMQPS on 5687 and the management API over
HTTPS on 15687, and a Redis of its own on 6390 that wants a password; it stops both and removes
the certificates at the end, also on Ctrl+C. As root (with iproute2's `ip`) it also makes a
network namespace, course-l27, joined to this one by a veth pair (10.227.27.1 here, 10.227.27.2
there), to log in from an address that is not loopback; it removes both at the end, also on
Ctrl+C.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pika
import pika.exceptions
import psutil
import redis
import requests
from cryptography import x509
from redis.backoff import NoBackoff
from redis.retry import Retry

from lessons.management import Management
from lessons.nodes import Node, install_for_shared_broker
from lessons.story import Story, eventually, wait_until

LESSON = "production.lesson27_security"
NODE_NAME, AMQP_PORT, AMQPS_PORT, HTTPS_PORT = "l27", 5686, 5687, 15687
REDIS_PORT = 6390
APPS = ("orders-app", "reports-app")  # one client certificate each (certificates.py)
# A second "host" for the loopback_users check: a network namespace and a veth pair (a /30 of its own)
NETNS, VETH_HERE, VETH_THERE = "course-l27", "l27-host", "l27-ns"
HERE_ADDRESS, THERE_ADDRESS = "10.227.27.1", "10.227.27.2"
# Run inside the namespace: log in over plain AMQP and say how it went.
LOGIN_PROBE = """
import os, pika, pika.exceptions
parameters = pika.URLParameters(os.environ["PROBE_URL"])
user = parameters.credentials.username
try:
    pika.BlockingConnection(parameters).close()
    print(f" [x] {user} logged in to {parameters.host}:{parameters.port}")
except pika.exceptions.AMQPConnectionError as exc:
    print(f" [!] {user} refused: {exc.args[0] if exc.args else exc!r}")
except OSError as exc:
    print(f" [!] {user} could not connect: {exc}")
"""
FOLDER = Path(__file__).resolve().parent.relative_to(Path(__file__).resolve().parents[2])


def tls_config(certs: str) -> str:
    """The node's extra rabbitmq.conf lines (the same keys on RabbitMQ 3.10 and 4.x);
    compose/rabbitmq.conf has the same settings for the compose stack."""
    return f"""
# AMQP over TLS (AMQPS) on its own port; clients must show a certificate signed by our CA
listeners.ssl.default = 127.0.0.1:{AMQPS_PORT}
ssl_options.cacertfile = {certs}/ca.pem
ssl_options.certfile = {certs}/server.pem
ssl_options.keyfile = {certs}/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = true
# the management UI and HTTP API over HTTPS
management.ssl.ip = 127.0.0.1
management.ssl.port = {HTTPS_PORT}
management.ssl.cacertfile = {certs}/ca.pem
management.ssl.certfile = {certs}/server.pem
management.ssl.keyfile = {certs}/server.key
# guest may log in from localhost only (the default, written out)
loopback_users.guest = true
""".strip()


def make_certificates(story: Story, node: Node) -> tuple[Path, str]:
    story.section("A throwaway certificate authority, made at run time")
    here, seen = node.install.temp_folder("course-l27-certs-")
    story.cleanup(lambda: shutil.rmtree(here, ignore_errors=True), always=True)
    story.run("certs", f"{LESSON}.certificates", "--out", str(here))
    server = x509.load_pem_x509_certificate((here / "server.pem").read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    story.check(names == ["localhost"] and server.issuer == x509.load_pem_x509_certificate((here / "ca.pem").read_bytes()).subject,
                f"the server certificate names {names} and is signed by the throwaway CA")
    subjects = [x509.load_pem_x509_certificate((here / f"{app}.pem").read_bytes()).subject.rfc4514_string()
                for app in APPS]
    story.check(all(subject.startswith(f"CN={app},") for app, subject in zip(APPS, subjects, strict=True)),
                f"one client certificate per application: {', '.join(subject.split(',')[0] for subject in subjects)}")
    story.check(all((here / f"{key}.key").stat().st_mode & 0o077 == 0 for key in ("server", *APPS)),
                "the private keys are readable by their owner only (mode 600)")
    # RabbitMQ runs as the rabbitmq user: its server key must be that user's.
    subprocess.run(node.install.command("chown", "-R", "rabbitmq:rabbitmq", seen), check=True, timeout=30)
    return here, seen


def make_namespace(story: Story) -> bool:
    """A network namespace joined to ours by a veth pair: a client in it comes from THERE_ADDRESS,
    not from loopback. Root and iproute2 only; otherwise one sentence, and False."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        story.say(f"(Skipped: making a network namespace needs root and iproute2's 'ip' "
                  f"({'not root' if os.geteuid() else 'no ip command'}), so the demo does not try guest "
                  "from another address, and does not claim that part of the loopback_users rule.)")
        return False
    story.cleanup(remove_namespace, always=True)  # also on Ctrl+C or a failed check
    remove_namespace()  # one left by an interrupted run
    for argv in (["ip", "netns", "add", NETNS],
                 ["ip", "link", "add", VETH_HERE, "type", "veth", "peer", "name", VETH_THERE],
                 ["ip", "link", "set", VETH_THERE, "netns", NETNS],
                 ["ip", "addr", "add", f"{HERE_ADDRESS}/30", "dev", VETH_HERE],
                 ["ip", "link", "set", VETH_HERE, "up"],
                 ["ip", "-n", NETNS, "addr", "add", f"{THERE_ADDRESS}/30", "dev", VETH_THERE],
                 ["ip", "-n", NETNS, "link", "set", VETH_THERE, "up"],
                 ["ip", "-n", NETNS, "link", "set", "lo", "up"]):  # pika needs it (a socketpair on 127.0.0.1)
        made = subprocess.run(argv, capture_output=True, text=True, timeout=15)
        if made.returncode != 0:
            story.say(f"(Skipped: '{' '.join(argv)}' failed ({made.stderr.strip()}), so the demo does not "
                      "try guest from another address, and does not claim that part of the rule.)")
            remove_namespace()
            return False
    story.say(f"Network namespace {NETNS}: a veth pair, {HERE_ADDRESS} here and {THERE_ADDRESS} there, "
              "a second host for the loopback_users check (removed at the end).")
    return True


def remove_namespace() -> None:
    """Remove the namespace (its end of the veth pair, and so the pair, goes with it)."""
    subprocess.run(["ip", "netns", "del", NETNS], capture_output=True, timeout=15)
    subprocess.run(["ip", "link", "del", VETH_HERE], capture_output=True, timeout=15)  # if the pair outlived it


def namespace_left() -> bool:
    """Is the demo's namespace or veth still there? (for the tests)"""
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=15).stdout
    links = subprocess.run(["ip", "-br", "link"], capture_output=True, text=True, timeout=15).stdout
    return NETNS in names.split() or re.search(rf"^{VETH_HERE}\b", links, re.M) is not None


def start_redis(story: Story, folder: Path, password: str):
    """A Redis of the lesson's own that wants a password, as a child process of the demo."""
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "redis-server" and f":{REDIS_PORT}" in " ".join(process.info["cmdline"] or []):
            story.say(f"(Starting fresh: stopping the Redis on port {REDIS_PORT} left by an earlier run.)")
            process.kill()
            process.wait(5)
    config = folder / "redis.conf"
    # The password in a file only its owner may read, not on the command line (ps shows that).
    config.write_text(f"port {REDIS_PORT}\nbind 127.0.0.1\nrequirepass {password}\nsave \"\"\nappendonly no\n")
    config.chmod(0o600)
    redis_server = story.start_command("redis", ["redis-server", str(config)], echo=False,
                                       ready=r"Ready to accept connections")
    story.say(f"A Redis of the lesson's own runs on port {REDIS_PORT}; its password is in {config.name} "
              "(mode 600), not on its command line.")
    return redis_server


def start_node(story: Story, node: Node) -> None:
    story.cleanup(node.stop, always=True)  # also on Ctrl+C or a failed check
    if node.stop_stale():
        story.say(f"(Starting fresh: stopped {node.node}, left running by an earlier run.)")
    story.say(f"Starting {node.node} ({node.install.version()}) with these extra rabbitmq.conf lines:")
    story.say("\n".join(f"    {line}" for line in node.config.splitlines()))
    seconds = node.start()
    where = f"127.0.0.1 and {HERE_ADDRESS}, the namespace's side" if "listeners.tcp.netns" in node.config else "localhost only"
    story.say(f"{node.node} accepts AMQP on {node.amqp_port} ({where}), AMQPS on {AMQPS_PORT}, "
              f"HTTPS on {HTTPS_PORT} ({seconds:.1f} s).")


def tls_failures(story: Story, env: dict, certs: Path) -> None:
    story.section("pika over TLS, and what a TLS failure looks like")
    good = story.run("tls", f"{LESSON}.tls_check", env=env)
    story.check(good.matches(r"Connected over TLS to localhost"), "pika connected over TLS, peer verification on")

    def refused(name: str, *args: str) -> str:
        process = story.run(name, f"{LESSON}.tls_check", *args, env=env, expect_code=1)
        return process.output

    out = refused("wrong-host", "--host", "127.0.0.1")
    story.check("hostname mismatch" in out, "connecting by IP to a certificate made for 'localhost': hostname mismatch")
    out = refused("untrusted", "--ca", "system")
    story.check("not signed by a CA we trust" in out, "trusting only the system's CAs: certificate verify failed")
    out = refused("no-cert", "--cert", "none")
    story.check("requires a client certificate" in out, "no client certificate: the server refuses (fail_if_no_peer_cert)")
    out = refused("missing", "--cert", str(certs / "missing.pem"))
    story.check(f"The TLS file {certs / 'missing.pem'} does not exist" in out, "a certificate file that does not exist: a sentence naming it")
    out = refused("mismatch", "--key", str(certs / "server.key"))
    story.check(f"The key {certs / 'server.key'} does not match the certificate" in out,
                "a key that does not match the certificate: a sentence naming both files")

    story.section("The management API over HTTPS")
    https = story.run("https", f"{LESSON}.management_https", env=env)
    story.check(https.matches(rf"amqp/ssl\s+port {AMQPS_PORT}") and https.matches(rf"https\s+port {HTTPS_PORT}"),
                f"requests with verify=ca.pem reached https://localhost:{HTTPS_PORT}; the node lists its AMQPS and HTTPS listeners")
    try:
        requests.get(f"https://localhost:{HTTPS_PORT}/api/overview", timeout=5)
        plain_refused = False
    except requests.exceptions.SSLError:
        plain_refused = True
    story.check(plain_refused, "without verify=ca.pem, requests refuses the certificate (SSLError): it trusts only public CAs")


def login_works(url: str, certs: Path) -> bool | str:
    """True if the user of `url` may log in over TLS, else the broker's reason."""
    parameters = pika.URLParameters(url)
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    context.load_cert_chain(str(certs / "orders-app.pem"), str(certs / "orders-app.key"))
    parameters.ssl_options = pika.SSLOptions(context, "localhost")
    try:
        pika.BlockingConnection(parameters).close()
        return True
    except (pika.exceptions.ProbableAuthenticationError, pika.exceptions.ProbableAccessDeniedError,
            pika.exceptions.ConnectionClosedByBroker) as exc:
        return repr(exc)


def guest_from_elsewhere(story: Story, node: Node) -> None:
    """guest and course log in over plain AMQP from the namespace, that is from THERE_ADDRESS."""
    story.say(f"From the namespace: ip netns exec {NETNS} python (pika) to {HERE_ADDRESS}:{AMQP_PORT}, "
              "as guest, then as course")
    said = {}
    for user in ("guest", "course"):
        probe = story.start_command(f"{NETNS}", ["ip", "netns", "exec", NETNS, sys.executable, "-c", LOGIN_PROBE],
                                    env={"PROBE_URL": f"amqp://{user}:{user}@{HERE_ADDRESS}:{AMQP_PORT}/%2F"})
        probe.wait(timeout=30)
        said[user] = probe.output
    reason = "user 'guest' can only connect via localhost"
    logged = eventually(lambda: reason in node.log_text(), timeout=10)
    story.check("guest refused" in said["guest"] and "403" in said["guest"] and "ACCESS_REFUSED" in said["guest"],
                f"guest from {THERE_ADDRESS}, an address that is not loopback: 403 ACCESS_REFUSED")
    story.check(logged and " [x] course logged in" in said["course"],
                f"{node.node}'s log says why (\"{reason}\"), and user course logs in from "
                f"{THERE_ADDRESS}: the refusal is loopback_users, not the network")


def peer_certificate(node: Node, user: str) -> str:
    """The subject of the client certificate the broker saw on `user`'s TLS connection."""
    api = Management(url=node.management_url, vhost="/")

    def subject():
        return next((c.get("peer_cert_subject") for c in api.get("connections")
                     if c.get("user") == user and c.get("ssl") and c.get("peer_cert_subject")), None)

    return wait_until(subject, timeout=15, interval=0.3, what=f"{user}'s TLS connection in the management API")


def users_and_permissions(story: Story, node: Node, env: dict, certs: Path, namespace: bool,
                          seen_by_broker: dict) -> dict:
    story.section("A vhost and a user per application, and only the rights it needs")
    guest_url = f"amqps://guest:guest@localhost:{AMQPS_PORT}/%2F"
    story.check(login_works(guest_url, certs) is True,
                "a fresh node has user guest (password guest), and it logs in from localhost")
    if namespace:
        guest_from_elsewhere(story, node)
    passwords = {name: secrets.token_urlsafe(16) for name in ("ORDERS_PRODUCER_PASSWORD", "ORDERS_WORKER_PASSWORD",
                                                              "REPORTS_APP_PASSWORD")}
    story.say("Passwords made for this run with secrets.token_urlsafe(), handed over in the environment.")
    story.run("admin", f"{LESSON}.setup_apps", env={**env, **passwords})
    api = Management(url=node.management_url, vhost="orders")
    users = {user["name"]: user for user in api.get("users")}
    story.check({"orders-producer", "orders-worker", "reports-app"} <= set(users) and "guest" not in users,
                "the management API lists the three application users; guest is gone")
    story.check(login_works(guest_url, certs) is not True, "guest can no longer log in")

    def url(user: str, variable: str, vhost: str) -> str:
        return f"amqps://{user}:{passwords[variable]}@localhost:{AMQPS_PORT}/{vhost}"

    producer_env = {**env, "AMQPS_URL": url("orders-producer", "ORDERS_PRODUCER_PASSWORD", "orders")}
    worker_env = {**env, "AMQPS_URL": url("orders-worker", "ORDERS_WORKER_PASSWORD", "orders")}
    worker = story.start("orders-worker", f"{LESSON}.order_worker", "--max-messages", "1", env=worker_env,
                         ready=r"Waiting for messages")
    seen_by_broker["orders-worker"] = peer_certificate(node, "orders-worker")
    story.run("producer", f"{LESSON}.producer", "eu.new", env=producer_env)
    worker.wait(timeout=15)
    story.check(worker.matches(r"Received 'order event eu.new'"),
                "orders-producer published to 'orders'; orders-worker got it from 'orders.work'")

    other = story.run("producer", f"{LESSON}.producer", "--exchange", "amq.topic", "eu.new", env=producer_env, expect_code=1)
    story.check(other.matches(r"403 ACCESS_REFUSED - (write )?access to exchange 'amq.topic'"),
                "orders-producer may not publish to another exchange: ACCESS_REFUSED")
    topic = story.run("producer", f"{LESSON}.producer", "us.new", env=producer_env, expect_code=1)
    story.check(topic.matches(r"403 ACCESS_REFUSED - (write )?access to topic 'us.new'"),
                "the topic permission (write ^eu\\.) refuses the routing key 'us.new': ACCESS_REFUSED")
    audit = story.run("orders-worker", f"{LESSON}.order_worker", "--queue", "orders.audit", env=worker_env, expect_code=1)
    story.check(audit.matches(r"403 ACCESS_REFUSED - (read )?access to queue 'orders.audit'"),
                "orders-worker may not read another queue ('orders.audit'): ACCESS_REFUSED")
    return passwords


def celery_over_tls(story: Story, node: Node, env: dict, passwords: dict, redis_password: str,
                    seen_by_broker: dict) -> None:
    story.section("kombu and Celery over TLS; results in a Redis that wants a password")
    bare = redis.Redis(port=REDIS_PORT, socket_timeout=5, retry=Retry(NoBackoff(), 0))
    try:
        bare.ping()
        refused = ""
    except redis.exceptions.AuthenticationError as exc:
        refused = str(exc)
    story.check(refused, f"the lesson's Redis (port {REDIS_PORT}) refuses a client without the password: {refused[:60]}...")
    redis_url = f"redis://:{redis_password}@127.0.0.1:{REDIS_PORT}/0"
    celery_env = {**env, "REDIS_URL": redis_url,
                  "AMQPS_URL": f"amqps://reports-app:{passwords['REPORTS_APP_PASSWORD']}@localhost:{AMQPS_PORT}/reports",
                  # the Celery app's own certificate, not the orders roles'
                  "TLS_CERT_FILE": env["TLS_CERT_FILE"].replace("orders-app", "reports-app"),
                  "TLS_KEY_FILE": env["TLS_KEY_FILE"].replace("orders-app", "reports-app")}
    worker = story.start_worker("worker", "tasks", "--concurrency", "1", "--without-mingle",
                                "--without-gossip", env=celery_env, ready=None)
    with worker.quiet():  # not its banner
        worker.wait_for(r"\bready\.", timeout=30)
    story.say("The Celery worker (user reports-app, vhost 'reports'): "
              + worker.matches(r"Connected to .*")[-1].group(0))
    api = Management(url=node.management_url, vhost="reports")

    def worker_connection():
        return next((c for c in api.get("connections") if c.get("user") == "reports-app" and c.get("ssl")), None)

    seen = wait_until(worker_connection, timeout=15, what="the worker's connection in the management API")
    seen_by_broker["reports-app"] = seen.get("peer_cert_subject") or ""
    story.check(seen_by_broker["reports-app"].startswith("CN=reports-app,"),
                f"the management API shows the worker's connection: TLS ({seen.get('ssl_protocol')}, "
                f"{seen.get('ssl_cipher')}), client certificate {seen.get('peer_cert_subject')}")
    story.check(seen_by_broker.get("orders-worker", "").startswith("CN=orders-app,")
                and seen_by_broker["reports-app"].startswith("CN=reports-app,"),
                "the broker tells the applications apart by their certificates: orders-worker's connection "
                f"presented {seen_by_broker.get('orders-worker', '?').split(',')[0]}, reports-app's "
                f"{seen_by_broker['reports-app'].split(',')[0]}")
    client = story.run("client", f"{LESSON}.client", env=celery_env)
    story.check(client.matches(r"kombu connected over TLS to amqps://reports-app:\*\*@127\.0\.0\.1"),
                "kombu connected with the same settings as Celery's broker_use_ssl (and says 127.0.0.1 "
                "for localhost: why broker_use_ssl names the server explicitly)")
    story.check(client.matches(r"Result: 'report for 2026-11: 42 orders'"),
                "the Celery worker (user reports-app, vhost 'reports', over TLS) ran the task")
    task_id = client.matches(r"task ([0-9a-f-]{36})")[0].group(1)
    stored = redis.Redis.from_url(redis_url, socket_timeout=5).exists(f"celery-task-meta-{task_id}")
    story.check(stored == 1, "its result is in the password-protected Redis")
    worker.interrupt()  # the story is told: the worker shuts down while the node stops


def serve(story: Story, node: Node, certs: Path, redis_password: str) -> None:
    story.say(f"\nThe node and Redis run. In other terminals, in {FOLDER}:\n"
              f"  export TLS_CA_FILE={certs}/ca.pem TLS_CERT_FILE={certs}/orders-app.pem TLS_KEY_FILE={certs}/orders-app.key\n"
              f"  (the Celery app, tasks.py and client.py: TLS_CERT_FILE={certs}/reports-app.pem TLS_KEY_FILE={certs}/reports-app.key)\n"
              f"  export AMQPS_URL='amqps://course:course@localhost:{AMQPS_PORT}/%2F'\n"
              f"  export MANAGEMENT_HTTPS_URL='https://course:course@localhost:{HTTPS_PORT}/api/'\n"
              f"  python tls_check.py\n"
              f"Redis: redis-cli -p {REDIS_PORT} --askpass (password: {redis_password}). Ctrl+C stops everything.")
    while True:
        time.sleep(3600)


def _options(parser):
    parser.add_argument("--serve", action="store_true", help="only start the lesson's node and Redis, and wait")


def main(argv=None) -> int:
    with Story(27, argv, options=_options) as story:
        options = story.options
        node = Node(NODE_NAME, AMQP_PORT, install_for_shared_broker())
        certs, certs_seen = make_certificates(story, node)
        node.config = tls_config(certs_seen)
        namespace = not options.serve and make_namespace(story)
        if namespace:  # before the node starts: it listens on the veth's address too
            node.config += (f"\n# plain AMQP on the veth address too, for the loopback_users check\n"
                            f"listeners.tcp.netns = {HERE_ADDRESS}:{AMQP_PORT}")
        redis_password = secrets.token_urlsafe(16)
        start_redis(story, certs, redis_password)
        start_node(story, node)
        env = {
            "AMQPS_URL": f"amqps://course:course@localhost:{AMQPS_PORT}/%2F",
            "MANAGEMENT_HTTPS_URL": f"https://course:course@localhost:{HTTPS_PORT}/api/",
            "TLS_CA_FILE": str(certs / "ca.pem"), "TLS_CERT_FILE": str(certs / "orders-app.pem"),
            "TLS_KEY_FILE": str(certs / "orders-app.key"),
        }
        if options.serve:
            serve(story, node, certs, redis_password)
        tls_failures(story, env, certs)
        seen_by_broker: dict[str, str] = {}  # user -> the certificate subject the broker saw
        passwords = users_and_permissions(story, node, env, certs, namespace, seen_by_broker)
        celery_over_tls(story, node, env, passwords, redis_password, seen_by_broker)
        node.stop()
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
