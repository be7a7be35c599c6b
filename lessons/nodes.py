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
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from lessons import errors
from lessons.waiting import ReadinessTimeout, eventually, wait_until

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

    def new_folder(self, prefix: str) -> tuple[Path, str]:
        """A fresh name for a node's folder, not made yet: (its path here, as the node sees it)."""
        base = (self.chroot / "tmp") if self.chroot else Path(tempfile.gettempdir())
        while (here := base / f"{prefix}{secrets.token_hex(4)}").exists():
            pass
        seen = "/" + str(here.relative_to(self.chroot)) if self.chroot else str(here)
        return here, seen

    def temp_folder(self, prefix: str) -> tuple[Path, str]:
        """A new folder for a node's files: (its path here, its path as the node sees it)."""
        base = (self.chroot / "tmp") if self.chroot else None
        here = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        seen = "/" + str(here.relative_to(self.chroot)) if self.chroot else str(here)
        return here, seen

    def prepare(self) -> None:
        """Make the install ready to run a node: the chroot needs /proc (the node reads its own
        memory use there); `scripts/rabbitmq4.sh` mounts it too, and unmounts it when it stops."""
        if self.chroot is None or os.geteuid() != 0:
            return
        proc = self.chroot / "proc"
        if subprocess.run(["mountpoint", "-q", str(proc)]).returncode != 0:
            subprocess.run(["mount", "-t", "proc", "proc", str(proc)], check=False, timeout=10)

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


def ports_taken_sentence(taken: dict[str, list[int]]) -> str:
    """One sentence naming the ports that stop these nodes from starting ({node name: ports})."""
    ports = [f"{port} (wanted by {node})" for node, node_ports in taken.items() for port in node_ports]
    many = len(ports) > 1
    return (f"Port{'s' if many else ''} {', '.join(ports)} {'are' if many else 'is'} already taken on "
            "127.0.0.1, so the lesson's RabbitMQ nodes cannot start. Stop what listens there (a node "
            "left by an earlier run: 'epmd -names' lists them) and run again.")


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
    _launched: float = 0.0  # time.monotonic() of the last launch()
    _calls: set = field(default_factory=set)  # CLI tools running against this node right now
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopped: bool = False  # stop() was called: no new CLI call, until the next launch()

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

    def queues_tool(self, *args: str, timeout: float = 30, check: bool = True) -> subprocess.CompletedProcess:
        """`rabbitmq-queues -n NODE args`: quorum queue members, leaders, grow, shrink ..."""
        return self._tool("rabbitmq-queues", args, timeout, check)

    def _tool(self, tool: str, args, timeout: float, check: bool) -> subprocess.CompletedProcess:
        env = {"RABBITMQ_ENABLED_PLUGINS_FILE": f"{self._seen}/enabled_plugins"} if self.folder else {}
        argv = self.install.command(tool, "-q", "-n", self.node, *args, env=env)
        # A process group of its own: a CLI tool is a shell wrapper, su and an Erlang VM, and all
        # of them must go when the call is cut short (timeout, Ctrl+C) or the node is stopped.
        with self._lock:  # stop() may come from another thread (Ctrl+C during a join)
            if self._stopped:
                raise NodeError(f"{self.node} has been stopped; '{tool} {' '.join(args)}' was not run.")
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, start_new_session=True)
            self._calls.add(process)
        try:
            out, err = process.communicate(timeout=timeout)
        except BaseException:
            _kill_group(process)
            raise
        finally:
            self._calls.discard(process)
        result = subprocess.CompletedProcess(argv, process.returncode, out, err)
        if check and result.returncode != 0:
            raise NodeError(f"'{tool} -n {self.node} {' '.join(args)}' failed: "
                            f"{(result.stderr or result.stdout).strip()[-400:]}")
        return result

    # -- life cycle -----------------------------------------------------------------------------
    def running(self) -> bool:
        return self.folder is not None and self.ctl("ping", timeout=15, check=False).returncode == 0

    @property
    def lesson_manages_users(self) -> bool:
        """A lesson about users (it sets loopback_users) keeps the node's own first user, guest;
        the course user is then added once the node runs."""
        return "loopback_users" in self.config

    def start(self, timeout: float = START_TIMEOUT) -> float:
        """Start the node and wait until it accepts AMQP connections; return the seconds it took."""
        self.launch()
        seconds = self.wait_until_ready(timeout)
        if self.lesson_manages_users:
            self.ctl("add_user", USER, PASSWORD, check=False)
            self.ctl("set_user_tags", USER, "administrator")
            self.ctl("set_permissions", "-p", "/", USER, ".*", ".*", ".*")
        return seconds

    def launch(self) -> None:
        """Start the node in the background (`rabbitmq-server -detached`) without waiting for it.

        Several nodes boot side by side this way: launch them all, then `wait_until_ready` each.
        """
        if taken := self.taken_ports():
            raise NodeError(ports_taken_sentence({self.node: taken}))
        self.install.prepare()
        self._stopped = False
        if self.folder is None:
            # Named first, made second: a Ctrl+C between the two leaves nothing stop() misses.
            self.folder, self._seen = self.install.new_folder(f"course-{self.name}-")
            self.folder.mkdir(mode=0o700)
        self._write_files()
        self._launched = time.monotonic()
        env = {
            "RABBITMQ_NODENAME": self.node, "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": f"{self._seen}/rabbitmq.conf",
            "RABBITMQ_ENABLED_PLUGINS_FILE": f"{self._seen}/enabled_plugins",
            "RABBITMQ_MNESIA_BASE": f"{self._seen}/mnesia", "RABBITMQ_LOG_BASE": f"{self._seen}/log",
            "RABBITMQ_PID_FILE": f"{self._seen}/pid",
            "ERL_CRASH_DUMP": f"{self._seen}/erl_crash.dump",  # not in the install's home folder
        }
        # Its own process group, tracked like a CLI call: Debian's wrapper runs su, a shell and
        # erl before the VM detaches, and a Ctrl+C (or stop() from another thread) during that
        # must take the whole chain down, or the VM it was about to start boots after stop().
        with self._lock:
            if self._stopped:
                raise NodeError(f"{self.node} has been stopped; it was not launched.")
            launcher = subprocess.Popen(self.install.command("rabbitmq-server", "-detached", env=env),
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
            self._calls.add(launcher)
        try:
            launcher.wait(timeout=30)
        except BaseException:
            _kill_group(launcher)
            raise
        finally:
            self._calls.discard(launcher)

    def wait_until_ready(self, timeout: float = START_TIMEOUT) -> float:
        """Wait until the launched node accepts AMQP connections; return the seconds since launch.

        Polls the AMQP port with a plain socket (cheap: a CLI call costs a second of CPU, which
        slows the booting nodes down on a small machine), then asks the node once to be sure.
        The `course` user comes from rabbitmq.conf (default_user), so no CLI call is needed.
        """
        next_look = self._launched + 3

        def accepting() -> bool:
            nonlocal next_look
            if port_taken(self.amqp_port) and self.diagnostics(
                    "check_port_connectivity", timeout=30, check=False).returncode == 0:
                return True
            if time.monotonic() > next_look:  # a node that cannot boot (a bad rabbitmq.conf) exits
                next_look = time.monotonic() + 2
                if not self._vm_processes():
                    raise NodeError(
                        f"{self.node} stopped while it was booting. Start it in the foreground to read "
                        f"why ('rabbitmq-server' with the variables of {self.folder}); a key of "
                        f"{self.folder / 'rabbitmq.conf'} it does not know is a common cause.")
            return False

        try:  # the deadline counts from the launch
            wait_until(accepting, timeout=max(0.0, self._launched + timeout - time.monotonic()), interval=0.25)
        except ReadinessTimeout:
            raise NodeError(f"{self.node} did not accept AMQP connections within {timeout:g} s; "
                            f"its log is in {self.folder / 'log'}.") from None
        return time.monotonic() - self._launched

    def taken_ports(self) -> list[int]:
        """This node's ports that something already listens on."""
        return [p for p in self.ports() if port_taken(p)]

    def _write_files(self) -> None:
        assert self.folder is not None
        lines = [f"listeners.tcp.default = 127.0.0.1:{self.amqp_port}"]
        if not self.lesson_manages_users:
            # The course user exists from the first boot on, with no CLI call.
            lines += [f"default_user = {USER}", f"default_pass = {PASSWORD}",
                      "default_user_tags.administrator = true", "default_permissions.configure = .*",
                      "default_permissions.read = .*", "default_permissions.write = .*",
                      "loopback_users = none"]
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
            # epmd forgets the name just after the node halts
            if eventually(lambda: self.name not in registered_nodes(), timeout=5, interval=0.2):
                break
        return True

    def log_text(self) -> str:
        """Everything the node has logged so far (its log files, as text)."""
        if self.folder is None:
            return ""
        return "".join(path.read_text(errors="replace") for path in sorted((self.folder / "log").glob("*.log")))

    def stop(self) -> None:
        """Stop the node, whatever state it is in, and remove its folder.

        Its data is thrown away, so the node is killed (SIGKILL) rather than shut down gracefully,
        which can take seconds (use `shutdown` for that); no CLI tool has to boot either.
        """
        with self._lock:  # no CLI call starts after this point
            self._stopped = True
            calls = list(self._calls)
        for call in calls:  # e.g. a join cut short by Ctrl+C
            _kill_group(call)
        if self.folder is None:
            return
        pid = self.pid()
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._kill_leftovers()  # a node still booting has no pid file yet
        # Once stop() returns, the node name is free again: epmd forgets a node when its
        # process has gone, a moment after the kill.
        eventually(lambda: self.name not in registered_nodes(), timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.folder.exists() or self._vm_processes():  # a VM that was still starting up
            self._kill_leftovers()
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def pid(self) -> int | None:
        """The OS process id of the running node (from its pid file), or None."""
        try:
            pid = int((self.folder / "pid").read_text().strip())
        except (TypeError, OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def shutdown(self, timeout: float = 60) -> float:
        """Stop the node (`rabbitmqctl stop`) but keep its data: `start()` brings it back as it
        was, still a member of its cluster. Returns the seconds it took."""
        started = time.monotonic()
        if self.folder is not None:
            self.ctl("stop", timeout=timeout, check=False)
        return time.monotonic() - started

    def _vm_processes(self) -> list:
        """The Erlang VM processes running this node. Its command line does not name the node or
        its folder; the environment it was started with does."""
        import psutil

        wanted = {"RABBITMQ_NODENAME": self.node, "RABBITMQ_MNESIA_BASE": f"{self._seen}/mnesia"}
        found = []
        for process in psutil.process_iter(["name"]):
            if "beam" not in (process.info["name"] or ""):
                continue
            try:
                environ = process.environ()
            except psutil.Error:
                continue
            if all(environ.get(key) == value for key, value in wanted.items()):
                found.append(process)
        return found

    def _kill_leftovers(self) -> None:
        import psutil

        processes = self._vm_processes()
        for process in processes:
            try:
                process.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(processes, timeout=10)


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
        """Start every node, side by side (all launched, then each waited for); return the
        seconds it took. When some ports are taken, one sentence names them all and nothing starts."""
        started = time.monotonic()
        taken = {node.node: ports for node in self.nodes if (ports := node.taken_ports())}
        if taken:
            raise NodeError(ports_taken_sentence(taken))
        for node in self.nodes:
            node.launch()
        for node in self.nodes:
            node.wait_until_ready()
        return time.monotonic() - started

    def join_all(self) -> float:
        """Join every other node to the first one's cluster; return the seconds it took.

        `stop_app` and `reset` run on all of them at once; `join_cluster` and `start_app` one
        node after the other (two nodes joining at the same moment can fail on RabbitMQ 3.10:
        Mnesia refuses the second `start_app`).
        """
        started = time.monotonic()
        failures: list[Exception] = []

        def prepare(node: Node) -> None:
            try:
                node.ctl("stop_app")
                node.ctl("reset")
            except Exception as exc:  # raised again below, in the caller's thread
                failures.append(exc)

        threads = [threading.Thread(target=prepare, args=(node,), name=f"reset-{node.name}", daemon=True)
                   for node in self.nodes[1:]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        for node in self.nodes[1:]:
            node.ctl("join_cluster", self.nodes[0].node, timeout=60)
            node.ctl("start_app", timeout=60)
        return time.monotonic() - started

    def stop_all(self) -> None:
        """Stop every node at once (a thread each) and remove their folders."""
        threads = [threading.Thread(target=node.stop, name=f"stop-{node.name}") for node in self.nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def __enter__(self) -> Nodes:
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def registered_nodes() -> list[str]:
    """Node names registered with the machine's epmd (e.g. ['rabbit', 'lab1'])."""
    epmd = shutil.which("epmd") or next(iter(sorted(Path("/usr/lib/erlang").glob("erts-*/bin/epmd"))), None)
    if epmd is None:
        return []
    out = subprocess.run([str(epmd), "-names"], capture_output=True, text=True, timeout=10).stdout
    return [line.split()[1] for line in out.splitlines() if line.startswith("name ")]
