"""Lesson 24's story in one terminal: a worker and beat run as services under supervisord; the
systemd units for the same, hardened, verified and rated by systemd-analyze (not started: no
systemd runs here as PID 1); warm and cold shutdown; a restart that loses nothing; a worker
pointed at a stopped broker; celery multi with two named workers recycling their pool processes.

    make lesson-24            (or: python -m lessons run 24)

Everything it starts lives in a temporary folder (its own supervisord with its own socket, pid
file and logs; celery multi's pid and log files) and is stopped at the end, also on Ctrl+C.
Tasks are scaled down to seconds.
"""

import ast
import itertools
import json
import re
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path

import psutil
import redis

from lessons import broker, errors, settings
from lessons.broker import celery_env
from lessons.console import emit
from lessons.processes import ROOT, Process, end_processes
from lessons.story import Story
from lessons.waiting import eventually
from production.lesson24_services import render

TASKS = "tasks"  # the app, as `celery -A tasks` finds it in the lesson's folder (where everything runs)
QUEUE = "lesson24_services"
TASK_LIMIT_QUEUE, MEMORY_LIMIT_QUEUE = "lesson24_tasklimit", "lesson24_memlimit"
QUEUES = [QUEUE, TASK_LIMIT_QUEUE, MEMORY_LIMIT_QUEUE]
MARKER = "LESSON24_FOLDER"  # in the environment of every process the demo starts, to find strays
READY = r"(\S+@\S+) ready\."
LOG_RECORD = re.compile(r"^\[\d{4}-|^worker: |^Trying again")  # log records, not the start banner
NO_SUPERVISOR = (
    "This lesson runs its services under supervisord, which is not installed here. On Debian or "
    "Ubuntu: 'apt-get install -y supervisor' (elsewhere: 'pip install supervisor'), then run it again."
)
MAX_TASKS = 3  # --max-tasks-per-child of the 'tasklimit' node
LEAK_MB = 20  # what one `leak` task keeps, on the 'memlimit' node
UNIT_KEYS = ("ExecStart", "KillSignal", "KillMode", "TimeoutStopSec", "Restart", "StartLimitBurst",
             "StartLimitIntervalSec", "LimitNOFILE", "StateDirectory")
HARDENING = ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes")  # among others
EXPOSURE_MAX = 2.0  # systemd-analyze security: 0 (locked down) to 10 (UNSAFE); both units: 9.2 unhardened

# A third program: the worker of supervisord.conf pointed at a port where nothing listens, as
# when the broker is down. A file in conf.d, which supervisord.conf includes.
NO_BROKER_PROGRAM = """\
[program:worker-no-broker]
command={celery} -A {tasks} worker --hostname no-broker@%%h --loglevel INFO --concurrency 1 --without-mingle --without-gossip
directory={project}
environment=AMQP_URL="amqp://course:course@127.0.0.1:{port}/%%2F"
autostart=true
autorestart=true
startsecs=2
stopwaitsecs=10
stdout_logfile={folder}/worker-no-broker.log
redirect_stderr=true
priority=30
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def results_of(client: Process) -> dict[str, dict]:
    """What the client printed as ' [.] NAME: {result}', by name."""
    return {match[1]: ast.literal_eval(match[2]) for match in client.matches(r"^ \[\.\] (\S+): (\{.*\})$")}


def sent_ids(client: Process) -> list[str]:
    """The task ids the client printed as ' [x] Sent ...: ID', in order."""
    return [match[1] for match in client.matches(r"^ \[x\] Sent .*: (\S+)$")]


def show_log(process: Process, since: int = 0, skip: str | None = None) -> None:
    """Print the log records that `process` (a tail of a log file) read since its line `since`."""
    for line in process.lines[since:]:
        if LOG_RECORD.search(line) and not (skip and re.search(skip, line)):
            emit(f"{process.name:>10} | {line}")


class Services:
    """What the scenes share: the temporary folder, supervisord and the commands around it."""

    def __init__(self, story: Story, folder: Path):
        self.story = story
        self.folder = folder
        self.conf = folder / "supervisord.conf"
        self.env = celery_env({MARKER: str(folder)})
        self.celery = render.celery_program()
        self.supervisorctl = shutil.which("supervisorctl")

    def command(self, name: str, *argv, expect: int | None = 0, timeout: float = 90.0,
                echo: bool = True) -> Process:
        """Run a program to its end, its output behind `name`; by default it must exit 0."""
        process = self.story.start_command(name, [str(part) for part in argv], env=self.env, echo=echo)
        code = process.wait(timeout=timeout)
        if expect is not None and code != expect:
            raise errors.CourseError(f"{name} exited with code {code}. Its last lines:\n{process.tail()}")
        return process

    def ctl(self, *args: str) -> Process:
        return self.command("ctl", self.supervisorctl, "-c", self.conf, *args)

    def pid(self, program: str) -> int:
        return int(self.ctl("pid", program).lines[-1])

    def ping(self, node: str) -> Process:
        """The health check: exit 0 when `node` answers within 2 s, 69 when it does not."""
        return self.command("ping", self.celery, "-A", TASKS, "inspect", "ping", "-d", node,
                            "--timeout", "2", expect=None)

    def start_ctl(self, *args: str) -> Process:
        """supervisorctl in the background, for a command that takes a while (restart)."""
        return self.story.start_command("ctl", [self.supervisorctl, "-c", str(self.conf), *args], env=self.env)

    def client(self, *args: str, echo: bool = True) -> Process:
        """The client role in the background. SIGTERM stops it without a word, should the demo
        be interrupted while it waits for a result."""
        return self.story.start_command("client", [sys.executable, "client.py", *args], env=self.env,
                                        stop_signal=signal.SIGTERM, echo=echo)

    def states(self, task_ids: list[str]) -> list[str]:
        """The tasks' states as Redis holds them (Celery's result keys), read with a client of our own."""
        with redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5) as client:
            metas = [client.get(f"celery-task-meta-{task_id}") for task_id in task_ids]
        return [json.loads(meta)["status"] if meta else "PENDING" for meta in metas]

    def tail(self, name: str, log: Path, echo: bool = False) -> Process:
        """Follow a log file (tail -F); unless `echo`, the demo shows its records after a scene."""
        log.touch()
        return self.story.start_command(name, ["tail", "-n", "+1", "-F", str(log)], echo=echo)

    def strays(self) -> list[psutil.Process]:
        """Live processes of this run: they carry MARKER=folder in their environment."""
        found = []
        for process in psutil.process_iter():
            try:
                if (process.environ().get(MARKER) == str(self.folder)
                        and process.status() != psutil.STATUS_ZOMBIE):
                    found.append(process)
            except (psutil.Error, OSError):
                continue
        return found

    def stop_strays(self) -> None:
        """The last safety net, after Ctrl+C: end what the run started that is still alive."""
        strays = self.strays()
        end_processes(strays)
        if strays:
            emit(f"(stopped {len(strays)} more process(es) of this run: celery multi's nodes, or "
                 "programs still shutting down)")


def main(argv=None) -> int:
    with Story(24, argv) as story:
        tell(story)
    return story.exit_code


def tell(story: Story) -> None:
    if not (shutil.which("supervisord") and shutil.which("supervisorctl")):
        raise errors.CourseError(NO_SUPERVISOR)
    story.start_fresh(queues=QUEUES, exchanges=QUEUES)
    folder = Path(tempfile.mkdtemp(prefix="lesson24-"))
    story.cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))  # kept with --keep
    services = Services(story, folder)
    story.cleanup(services.stop_strays, always=True)

    service_files(story, services)
    worker, node, supervisord = supervised(story, services)
    restart_loses_nothing(story, services, worker)
    cold_shutdown(story, services, worker, supervisord)
    stopped_broker(story, services, node)
    options = celery_multi(story, services)
    stop_everything(story, services, supervisord, options)


def service_files(story: Story, services: Services) -> None:
    story.section("1. The service files, filled in for this machine")
    files = render.render(services.folder, settings.AMQP_URL, settings.REDIS_URL)
    story.say(f"Everything this demo starts lives in {services.folder}")
    story.say("Written from the templates in production/lesson24_services/: "
              + ", ".join(path.name for path in files))
    units = [services.folder / "celery-worker.service", services.folder / "celery-beat.service"]
    for unit in units:
        story.say(f"  {unit.name}:")
        for line in unit.read_text().splitlines():
            if line.split("=", 1)[0] in UNIT_KEYS:
                story.say(f"    {line.replace(str(ROOT), '<project>')}")
    text = units[0].read_text()
    story.check("worker@%%h" in text and "worker@%%h" in services.conf.read_text()
                and "KillMode=mixed" in text and "Restart=always" in text,
                "both files name the worker worker@%%h (% doubled); the unit stops it with "
                "KillMode=mixed and restarts it (Restart=always)")
    if shutil.which("systemd-analyze"):
        verify = services.command("verify", "systemd-analyze", "verify", *units, expect=None)
        story.check(verify.returncode == 0 and not verify.lines,
                    "systemd-analyze verify accepts both units, without a warning")
        template = services.command("verify", "systemd-analyze", "verify",
                                    render.HERE / "celery-worker.service", expect=None)
        story.check(template.returncode != 0,
                    "and refuses the template itself, whose @NAMES@ are not paths yet")
        scores = {unit.name: exposure(services, unit) for unit in units}
        story.check(all(score is not None and score <= EXPOSURE_MAX for score in scores.values())
                    and all(key in unit.read_text().splitlines() for unit in units for key in HARDENING),
                    "systemd-analyze security --offline=true rates the hardened units "
                    + ", ".join(f"{name} {score}" for name, score in scores.items())
                    + f" (at most {EXPOSURE_MAX} of 10: NoNewPrivileges, ProtectSystem=strict, PrivateTmp, ...)")
    else:
        story.say("systemd-analyze is not installed here (Debian's 'systemd' package has it): the "
                  "units were not verified, only their key lines checked.")
    story.say("What this proves: the units' syntax and settings as systemd reads them, and how much "
              "they expose. No systemd runs here as PID 1, so they are not started: in this demo "
              "supervisord runs the worker and beat, from here on.")


def exposure(services: Services, unit: Path) -> float | None:
    """The 'Overall exposure level' systemd-analyze security gives a unit file (0 to 10)."""
    rated = services.command("security", "systemd-analyze", "security", "--offline=true", unit,
                             expect=None, echo=False)
    found = rated.matches(r"Overall exposure level for \S+: ([\d.]+) (\w+)")
    if not found:
        return None
    services.story.say(f"  $ systemd-analyze security --offline=true {unit.name}: "
                       f"exposure {found[-1].group(1)} {found[-1].group(2)}")
    return float(found[-1].group(1))


def supervised(story: Story, services: Services) -> tuple[Process, str, Process]:
    story.section("2. supervisord starts the worker and beat, and keeps them running")
    folder = services.folder
    port = free_port()
    (folder / "conf.d" / "worker-no-broker.conf").write_text(NO_BROKER_PROGRAM.format(
        celery=services.celery, tasks=TASKS, project=render.HERE, port=port, folder=folder))
    story.say(f"supervisord -n -s -c {services.conf}   (its own socket, pid file and logs in that folder)\n"
              f"A third program, conf.d/worker-no-broker.conf, is the same worker with AMQP_URL on "
              f"port {port}, where nothing listens (scene 5).")
    worker = services.tail("worker", folder / "worker.log")
    beat = services.tail("beat", folder / "beat.log")
    supervisord = services.tail("supervisord", folder / "supervisord.log", echo=True)
    # -s: log to its file only, never to our pipe (a broken pipe would kill it before its programs).
    story.start_command("supervisor", [shutil.which("supervisord"), "-n", "-s", "-c", str(services.conf)],
                        env=services.env, stop_signal=signal.SIGTERM)
    supervisord.wait_for(r"supervisord started", timeout=20)
    node = worker.wait_for(READY, timeout=40)[1]
    beat.wait_for(r"beat: Starting", timeout=30)
    for program in ("worker", "beat"):  # STARTING until it has stayed up for startsecs
        supervisord.wait_for(rf"success: {program} entered RUNNING state", timeout=20)
    show_log(worker)
    show_log(beat)
    status = services.ctl("status")
    story.check(status.count(r"^worker\s+RUNNING") == 1 and status.count(r"^beat\s+RUNNING") == 1,
                "supervisorctl status: worker and beat are RUNNING")
    pong = services.ping(node)
    story.check(pong.returncode == 0 and "pong" in pong.output,
                f"the health check 'celery inspect ping -d {node} --timeout 2' answered pong (exit 0)")
    since = len(worker.lines)
    worker.wait_for(r"heartbeat\[\S+\] succeeded", count=2, timeout=15)
    show_log(worker, since)
    show_log(beat, 2)
    story.check(beat.count(r"Sending due task heartbeat-every-2-seconds") >= 2
                and worker.count(r"heartbeat\[\S+\] succeeded") >= 2,
                "beat sends 'heartbeat' every 2 seconds and the worker runs it")
    story.say("The logs, where you find them:\n"
              f"  {folder}/supervisord.log   supervisord itself: spawned, exited, stopped\n"
              f"  {folder}/worker.log        the worker's stdout and stderr\n"
              f"  {folder}/beat.log          beat's\n"
              f"  or: supervisorctl -c {services.conf} tail -f worker")
    return worker, node, supervisord


def restart_loses_nothing(story: Story, services: Services, worker: Process) -> None:
    story.section("3. Restart the worker with tasks in flight: warm shutdown, nothing lost")
    since = len(worker.lines)
    old_pid = services.pid("worker")
    client = services.client("slow", "2", "0.5", "0.5", "0.5", "0.5")
    story.say("job-1 takes 2 s, job-2 to job-5 0.5 s each; the worker runs two at a time.")
    worker.wait_for(r"slow job-1: started", timeout=20)
    restart = services.start_ctl("restart", "worker")
    worker.wait_for(r"^worker: Warm shutdown", timeout=20)
    story.say(f"supervisorctl restart sent SIGTERM: warm shutdown. A second SIGTERM now: kill -TERM {old_pid}")
    psutil.Process(old_pid).send_signal(signal.SIGTERM)
    code = restart.wait(timeout=90)
    worker.wait_for(READY, count=2, timeout=40)
    client.wait(timeout=60)
    values = results_of(client)
    new_pid = services.pid("worker")
    show_log(worker, since, skip="heartbeat")
    warm = worker.when(r"^worker: Warm shutdown")
    long_done = worker.when(r"slow job-1: finished")
    story.check(code == 0 and new_pid != old_pid,
                f"supervisorctl restart: worker pid {old_pid} stopped, pid {new_pid} started")
    story.check(values["job-1"]["worker_pid"] == old_pid and None not in (warm, long_done) and long_done > warm,
                "the running task (job-1) finished during the warm shutdown, in the old worker")
    story.check(worker.count(r"^worker: Warm shutdown") == 2,
                "the second SIGTERM only printed 'Warm shutdown' again: Celery ignores it")
    late = [job for job, value in values.items() if value["worker_pid"] == new_pid]
    states = services.states(sent_ids(client))
    story.check(len(values) == 5 and states == ["SUCCESS"] * 5 and bool(late),
                f"all 5 results are SUCCESS in Redis; {', '.join(late)} waited in the queue and ran "
                "in the new worker")
    story.check(eventually(lambda: broker.queue_depth(QUEUE) == 0), "the queue is empty: nothing lost")


def cold_shutdown(story: Story, services: Services, worker: Process, supervisord: Process) -> None:
    story.section("4. Cold shutdown (SIGQUIT): what it costs, with and without acks_late")
    since, spawned = len(worker.lines), supervisord.count(r"spawned: 'worker'")
    client = services.client("both", "2")
    story.say("A is slow() (acks_late=True, the app's setting), B slow_early_ack() (acks_late=False, "
              "Celery's default), 2 s each.")
    worker.wait_for(r"slow A: started", timeout=20)
    worker.wait_for(r"slow_early_ack B: started", timeout=20)
    services.ctl("signal", "QUIT", "worker")
    worker.wait_for(r"^worker: Cold shutdown", timeout=20)
    supervisord.wait_for(r"spawned: 'worker'", count=spawned + 1, timeout=30)
    worker.wait_for(READY, count=3, timeout=40)
    client.wait(timeout=60)
    value = results_of(client)["A"]
    empty = eventually(lambda: broker.queue_depth(QUEUE) == 0)
    early_state = services.states(sent_ids(client)[1:])[0]
    show_log(worker, since, skip="heartbeat")
    story.check(supervisord.count(r"exited: worker") >= 1,
                "the worker exited at once, and supervisord started it again (autorestart=true)")
    story.check(value["redelivered"] and worker.count(r"slow A: started") == 2,
                "A (acks_late) went back to the queue and ran again from the start in the new worker "
                "(redelivered: True): the cost is work done twice, so make tasks idempotent")
    story.check(empty and early_state == "RETRY" and worker.count(r"slow_early_ack B: started") == 1
                and worker.count(r"slow_early_ack B: finished") == 0,
                f"B (acked on arrival) is lost: Redis says {early_state} ('cancelled by Celery'), the "
                "queue is empty, nothing will run it")


def stopped_broker(story: Story, services: Services, node: str) -> None:
    story.section("5. A worker service pointed at a stopped broker")
    no_broker = services.tail("no-broker", services.folder / "worker-no-broker.log")
    no_broker.wait_for(r"Trying again in", count=2, timeout=30)
    show_log(no_broker)
    status = services.ctl("status", "worker-no-broker")
    refused = services.ping(f"no-broker@{node.split('@', 1)[1]}")
    port = re.search(r"127\.0\.0\.1:(\d+)", no_broker.output)[1]
    story.check(no_broker.count(rf"Cannot connect to amqp://course:\*\*@127.0.0.1:{port}") >= 2,
                "it keeps retrying and says so in its log: Cannot connect ... Trying again in 2 s, 4 s ...")
    story.check(status.count(r"^worker-no-broker\s+RUNNING") == 1 and refused.returncode != 0
                and "No nodes replied" in refused.output,
                f"supervisord calls it RUNNING, but the health check gets no reply (exit "
                f"{refused.returncode}): watch the ping, not only the process")


def celery_multi(story: Story, services: Services) -> list[str]:
    """Run two named nodes with celery multi; return the options that manage them."""
    story.section("6. celery multi: two named workers, pid and log files, recycled pool processes")
    multi_dir = services.folder / "multi"
    multi_dir.mkdir()
    # The supervised worker runs the same app: its pool processes show what one weighs at rest.
    pool = psutil.Process(services.pid("worker")).children()
    baseline_mb = max(process.memory_info().rss for process in pool) / 2**20
    limit_kb = int((baseline_mb + 2.5 * LEAK_MB) * 1024)
    story.say(f"psutil: a pool process of this app uses {baseline_mb:.0f} MiB. memlimit gets "
              f"--max-memory-per-child={limit_kb} (KiB: {limit_kb / 1024:.0f} MiB); each leak task "
              f"keeps {LEAK_MB} MiB more. tasklimit gets --max-tasks-per-child={MAX_TASKS}.")
    options = ["-A", TASKS, f"--pidfile={multi_dir}/%n.pid", f"--logfile={multi_dir}/%n%I.log",
               "--loglevel=INFO", "--concurrency=1", "--without-mingle", "--without-gossip",
               "-Q:tasklimit", TASK_LIMIT_QUEUE, "-Q:memlimit", MEMORY_LIMIT_QUEUE,
               f"--max-tasks-per-child:tasklimit={MAX_TASKS}", f"--max-memory-per-child:memlimit={limit_kb}"]
    logs = {name: services.tail(name, multi_dir / f"{name}.log") for name in ("tasklimit", "memlimit")}
    services.command("multi", services.celery, "--no-color", "multi", "start", "tasklimit", "memlimit", *options)
    for log in logs.values():
        log.wait_for(READY, timeout=40)

    def main_pid(name: str) -> int:
        return int((multi_dir / f"{name}.pid").read_text())

    story.check(all(psutil.Process(main_pid(name)).is_running() for name in logs),
                f"two nodes, tasklimit and memlimit, with their pid files in {multi_dir}")
    story.say(f"Two clients, side by side: client leak --count 7 --megabytes 1 --queue {TASK_LIMIT_QUEUE}, "
              f"client leak --count 5 --megabytes {LEAK_MB} --queue {MEMORY_LIMIT_QUEUE}")
    clients = [services.client("leak", "--count", "7", "--megabytes", "1", "--queue", TASK_LIMIT_QUEUE, echo=False),
               services.client("leak", "--count", "5", "--megabytes", str(LEAK_MB), "--queue", MEMORY_LIMIT_QUEUE,
                               echo=False)]
    for client in clients:
        client.wait(timeout=90)
    by_tasks, by_memory = (list(results_of(client).values()) for client in clients)
    rows = []
    for number, (left, right) in enumerate(itertools.zip_longest(by_tasks, by_memory, fillvalue={}), 1):
        rows.append((number, left.get("pid", ""), right.get("pid", ""), right.get("rss_mb", "")))
    story.table("Which pool process ran each leak task",
                ["task", f"tasklimit: pid (max {MAX_TASKS} tasks)",
                 f"memlimit: pid (max {limit_kb / 1024:.0f} MiB)", "its RSS after (MiB)"], rows)
    runs = [len(list(group)) for _, group in itertools.groupby(value["pid"] for value in by_tasks)]
    story.check(runs == [3, 3, 1] and len({value["pid"] for value in by_tasks}) == 3,
                f"tasklimit: a new pool process after every {MAX_TASKS} tasks (runs of {runs})")
    replaced_after = [i + 1 for i in range(len(by_memory) - 1) if by_memory[i]["pid"] != by_memory[i + 1]["pid"]]
    over = [i + 1 for i in range(len(by_memory) - 1) if by_memory[i]["rss_mb"] * 1024 > limit_kb]
    story.check(bool(replaced_after) and replaced_after == over,
                f"memlimit: the pool process was replaced after task {', '.join(map(str, over)) or '?'}, "
                "the first that left it above the limit")
    current = {name: [child.pid for child in psutil.Process(main_pid(name)).children()] for name in logs}
    recycled = {value["pid"] for value in by_tasks + by_memory} - set(current["tasklimit"] + current["memlimit"])
    story.check(current["tasklimit"] == [by_tasks[-1]["pid"]] and current["memlimit"] == [by_memory[-1]["pid"]],
                f"psutil: each node has one pool process now, the last one; the {len(recycled)} recycled "
                "ones are gone")
    return options


def stop_everything(story: Story, services: Services, supervisord: Process, options: list[str]) -> None:
    story.section("7. Stop everything: supervisorctl stop all, celery multi stopwait (side by side)")
    multi_dir = services.folder / "multi"
    # Process objects, not bare pids: is_running() is not fooled if the pid is reused meanwhile.
    nodes = [psutil.Process(int(path.read_text())) for path in multi_dir.glob("*.pid")]
    stopwait = story.start_command(
        "multi", [services.celery, "--no-color", "multi", "stopwait", "tasklimit", "memlimit", *options],
        env=services.env)
    stopped = services.ctl("stop", "all")
    programs = ("worker", "beat", "worker-no-broker")

    def ended(name: str) -> bool:  # supervisord logs each program's end once: exit status, or SIGKILL
        return supervisord.count(rf"stopped: {name} \((exit status \d+|terminated by \w+)\)") > 0

    eventually(lambda: all(ended(name) for name in programs), timeout=20)  # beat's stopwaitsecs is 10
    unclean = [name for name in programs if not supervisord.count(rf"stopped: {name} \(exit status 0\)")]
    for name in unclean:  # what it was doing when it did not stop: its own log's last lines
        lines = (services.folder / f"{name}.log").read_text(errors="replace").splitlines()[-8:]
        story.say(f"{name} did not stop cleanly; the end of {name}.log:\n" + "\n".join(f"    {line}" for line in lines))
    story.check(not unclean and stopped.count(r": stopped$") == 3,
                "supervisorctl stop all: worker, beat and worker-no-broker stopped with exit status 0 "
                "(warm); supervisord itself stops when the demo ends")
    code = stopwait.wait(timeout=60)
    # stopwait returns once a node's pid file is gone; the node removes it just before it exits.
    _, alive = psutil.wait_procs(nodes, timeout=15)
    left = [path.name for path in multi_dir.glob("*.pid")] + [node.pid for node in alive]
    story.check(code == 0 and len(nodes) == 2 and not left,
                "celery multi stopwait: both nodes stopped (warm) and removed their pid files"
                + (f" (exit {code}; still there: {left})" if code or left else ""))
    story.say(f"The logs stay in {services.folder} until the demo removes it (keep it: make lesson-24 "
              f"ARGS=--keep). celery multi's: " + ", ".join(sorted(path.name for path in multi_dir.glob("*.log")))
              + " (%n is the node's name, %I the pool process index).")


if __name__ == "__main__":
    sys.exit(main())
