"""RabbitMQ nodes of a lesson's own: a cluster, a node with a memory alarm, a TLS listener.

The shared broker is never changed. A lesson that needs a broker configured differently starts
nodes of its own, each with its own name, ports and data folder under a temporary folder, and
stops them at the end (also on Ctrl+C: register `node.stop` with `story.cleanup(..., always=True)`
or use `with Nodes(...)`).

The nodes run the same RabbitMQ as the shared broker the lesson talks to: the machine's own
`rabbitmq-server` (Debian 12: 3.10), or, when the shared broker is the course's 4.x node, the
4.x install in the chroot that `scripts/rabbitmq4.sh` builds. All of them register with the
machine's epmd, so `epmd -names` lists what is running.

    with Nodes(3, base_port=5681) as nodes:       # lab1..lab3@localhost
        nodes.start_all()
        nodes[1].join(nodes[0])
        print(nodes[0].amqp_url)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lessons import errors

RABBITMQ4_ROOT = Path(os.environ.get("RABBITMQ4_DIR", "/var/tmp/course-rabbitmq4")) / "rootfs"
USER, PASSWORD = "course", "course"
START_TIMEOUT = 60.0


class NodeError(errors.CourseError):
    pass


@dataclass(frozen=True)
class Install:
    """Where a RabbitMQ install lives: on the machine itself, or inside the 4.x chroot."""

    chroot: Path | None = None

    @property
    def label(self) -> str:
        return f"RabbitMQ in {self.chroot}" if self.chroot else "the machine's RabbitMQ"

    def command(self, *argv: str, env: dict | None = None) -> list[str]:
        env_args = [f"{k}={v}" for k, v in (env or {}).items()]
        if self.chroot is None:
            return ["env", *env_args, *argv] if env_args else list(argv)
        return ["chroot", str(self.chroot), "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=/var/lib/rabbitmq", *env_args, *argv]

    def temp_folder(self, prefix: str) -> tuple[Path, str]:
        """A new folder for a node's files: (its path here, its path as the node sees it)."""
        base = (self.chroot / "tmp") if self.chroot else None
        here = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        seen = "/" + str(here.relative_to(self.chroot)) if self.chroot else str(here)
        return here, seen

    def available(self) -> bool:
        if self.chroot is not None:
            return (self.chroot / "usr/lib/rabbitmq/bin/rabbitmq-server").exists()
        return shutil.which("rabbitmq-server") is not None and shutil.which("rabbitmqctl") is not None

    def version(self) -> str:
        out = subprocess.run(self.command("dpkg-query", "-W", "-f", "${Version}", "rabbitmq-server"),
                             capture_output=True, text=True, timeout=10).stdout
        return out.split("-")[0] or "?"


def install_for_shared_broker() -> Install:
    """The install whose major version matches the shared broker the lesson talks to."""
    from lessons.management import Management

    version = Management().overview().get("rabbitmq_version", "")
    if version.startswith("4") and Install(RABBITMQ4_ROOT).available():
        return Install(RABBITMQ4_ROOT)
    local = Install()
    if not local.available():
        raise NodeError(
            "This lesson starts RabbitMQ nodes of its own and needs RabbitMQ installed on this machine "
            "('apt-get install rabbitmq-server'), or the 4.x chroot ('sh scripts/rabbitmq4.sh build'). "
            "With Docker only, use the compose profile the lesson's README names."
        )
    return local


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Node:
    """One RabbitMQ node: name `NAME@localhost`, AMQP on `amqp_port`, management on
    `amqp_port + 10000`, distribution on `amqp_port + 20000`, files in a temporary folder."""

    name: str
    amqp_port: int
    install: Install = field(default_factory=Install)
    config: str = ""  # extra rabbitmq.conf lines
    plugins: tuple[str, ...] = ("rabbitmq_management",)
    folder: Path | None = None
    _seen: str = ""  # the folder as the node sees it (inside the chroot for 4.x)

    @property
    def node(self) -> str:
        return f"{self.name}@localhost"

    @property
    def management_port(self) -> int:
        return self.amqp_port + 10000

    @property
    def dist_port(self) -> int:
        return self.amqp_port + 20000

    @property
    def amqp_url(self) -> str:
        return f"amqp://{USER}:{PASSWORD}@127.0.0.1:{self.amqp_port}/%2F"

    @property
    def management_url(self) -> str:
        return f"http://{USER}:{PASSWORD}@127.0.0.1:{self.management_port}/api/"

    def ports(self) -> list[int]:
        return [self.amqp_port, self.dist_port] + ([self.management_port] if self.plugins else [])

    # -- running commands against the node ----------------------------------------------------
    def ctl(self, *args: str, timeout: float = 30, check: bool = True) -> subprocess.CompletedProcess:
        """`rabbitmqctl -n NODE args`, always naming this node."""
        return self._tool("rabbitmqctl", args, timeout, check)

    def diagnostics(self, *args: str, timeout: float = 30, check: bool = True) -> subprocess.CompletedProcess:
        return self._tool("rabbitmq-diagnostics", args, timeout, check)

    def plugins_tool(self, *args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess:
        """`rabbitmq-plugins -n NODE args` on this node's own enabled_plugins file."""
        return self._tool("rabbitmq-plugins", args, timeout, check)

    def _tool(self, tool: str, args, timeout: float, check: bool) -> subprocess.CompletedProcess:
        env = {"RABBITMQ_ENABLED_PLUGINS_FILE": f"{self._seen}/enabled_plugins"} if self.folder else {}
        argv = self.install.command(tool, "-q", "-n", self.node, *args, env=env)
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise NodeError(f"'{tool} -n {self.node} {' '.join(args)}' failed: "
                            f"{(result.stderr or result.stdout).strip()[-400:]}")
        return result

    # -- life cycle -----------------------------------------------------------------------------
    def running(self) -> bool:
        return self.folder is not None and self.ctl("ping", timeout=15, check=False).returncode == 0

    def start(self, timeout: float = START_TIMEOUT) -> float:
        """Start the node and wait until it accepts AMQP connections; return the seconds it took."""
        taken = [p for p in self.ports() if port_taken(p)]
        if taken:
            raise NodeError(
                f"Cannot start {self.node}: port{'s' if len(taken) > 1 else ''} "
                f"{', '.join(map(str, taken))} {'are' if len(taken) > 1 else 'is'} already taken on "
                "127.0.0.1. Stop what listens there (a node left by an earlier run: 'epmd -names' "
                "lists them) and run again."
            )
        if self.folder is None:
            self.folder, self._seen = self.install.temp_folder(f"course-{self.name}-")
        self._write_files()
        started = time.monotonic()
        env = {
            "RABBITMQ_NODENAME": self.node, "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": f"{self._seen}/rabbitmq.conf",
            "RABBITMQ_ENABLED_PLUGINS_FILE": f"{self._seen}/enabled_plugins",
            "RABBITMQ_MNESIA_BASE": f"{self._seen}/mnesia", "RABBITMQ_LOG_BASE": f"{self._seen}/log",
            "RABBITMQ_PID_FILE": f"{self._seen}/pid",
        }
        subprocess.run(self.install.command("rabbitmq-server", "-detached", env=env),
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=30)
        deadline = started + timeout
        while self.diagnostics("check_port_connectivity", timeout=15, check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise NodeError(f"{self.node} did not accept AMQP connections within {timeout:g} s; "
                                f"its log is in {self.folder / 'log'}.")
            time.sleep(0.5)
        self.ctl("add_user", USER, PASSWORD, check=False)  # exists already after a join: fine
        self.ctl("set_user_tags", USER, "administrator")
        self.ctl("set_permissions", "-p", "/", USER, ".*", ".*", ".*")
        return time.monotonic() - started

    def _write_files(self) -> None:
        assert self.folder is not None
        lines = [f"listeners.tcp.default = 127.0.0.1:{self.amqp_port}"]
        if "loopback_users" not in self.config:  # a lesson about users sets its own
            lines.append("loopback_users = none")
        if self.plugins:
            lines += ["management.tcp.ip = 127.0.0.1", f"management.tcp.port = {self.management_port}"]
        (self.folder / "rabbitmq.conf").write_text("\n".join(lines + [self.config]) + "\n")
        (self.folder / "enabled_plugins").write_text(f"[{','.join(self.plugins)}].\n")
        for sub in ("mnesia", "log"):
            (self.folder / sub).mkdir(exist_ok=True)
        # Debian's rabbitmq-server switches to the rabbitmq user when started as root.
        owner = self.install.command("chown", "-R", "rabbitmq:rabbitmq", self._seen)
        if os.geteuid() == 0:
            subprocess.run(owner, check=True, timeout=30)

    def join(self, other: Node) -> None:
        """Make this node a member of `other`'s cluster (it loses its own data)."""
        self.ctl("stop_app")
        self.ctl("reset")
        self.ctl("join_cluster", other.node, timeout=60)
        self.ctl("start_app", timeout=60)

    def stop_stale(self) -> bool:
        """Stop a node of this name that an earlier, interrupted run left running (on this
        install or the other one); True if there was one."""
        if self.name not in registered_nodes():
            return False
        for install in (self.install, Install() if self.install.chroot else Install(RABBITMQ4_ROOT)):
            if install.available():
                subprocess.run(install.command("rabbitmqctl", "-q", "-n", self.node, "stop"),
                               capture_output=True, timeout=60)
            deadline = time.monotonic() + 5  # epmd forgets the name just after the node halts
            while self.name in registered_nodes() and time.monotonic() < deadline:
                time.sleep(0.2)
            if self.name not in registered_nodes():
                break
        return True

    def log_text(self) -> str:
        """Everything the node has logged so far (its log files, as text)."""
        if self.folder is None:
            return ""
        return "".join(path.read_text(errors="replace") for path in sorted((self.folder / "log").glob("*.log")))

    def stop(self) -> None:
        """Stop the node, whatever state it is in, and remove its folder."""
        if self.folder is None:
            return
        self.ctl("stop", timeout=60, check=False)
        self._kill_leftovers()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def _kill_leftovers(self) -> None:
        import psutil

        killed = []
        for process in psutil.process_iter(["cmdline"]):
            cmdline = " ".join(process.info["cmdline"] or [])
            if "beam" not in cmdline:
                continue
            try:
                # 3.x names the node's folder on the command line; 4.x only in its environment.
                if self._seen in cmdline or process.environ().get("RABBITMQ_NODENAME") == self.node:
                    process.kill()
                    killed.append(process)
            except psutil.Error:
                pass
        psutil.wait_procs(killed, timeout=10)


class Nodes:
    """Several nodes `lab1..labN@localhost` on consecutive ports; all stopped on exit."""

    def __init__(self, count: int, base_port: int = 5681, prefix: str = "lab",
                 install: Install | None = None, config: str = "",
                 plugins: tuple[str, ...] = ("rabbitmq_management",)):
        install = install or install_for_shared_broker()
        self.nodes = [Node(f"{prefix}{i + 1}", base_port + i, install, config, plugins)
                      for i in range(count)]

    def __getitem__(self, index: int) -> Node:
        return self.nodes[index]

    def __iter__(self):
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def start_all(self) -> float:
        """Start every node (one after another); return the seconds it took."""
        started = time.monotonic()
        for node in self.nodes:
            node.start()
        return time.monotonic() - started

    def stop_all(self) -> None:
        for node in reversed(self.nodes):
            node.stop()

    def __enter__(self) -> Nodes:
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()


def registered_nodes() -> list[str]:
    """Node names registered with the machine's epmd (e.g. ['rabbit', 'lab1'])."""
    epmd = shutil.which("epmd") or next(iter(sorted(Path("/usr/lib/erlang").glob("erts-*/bin/epmd"))), None)
    if epmd is None:
        return []
    out = subprocess.run([str(epmd), "-names"], capture_output=True, text=True, timeout=10).stdout
    return [line.split()[1] for line in out.splitlines() if line.startswith("name ")]
