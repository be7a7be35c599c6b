"""Lesson 23's story in one terminal: one broker between Python, PHP, Ruby, Java, Go and Node.js.

    make lesson-23            (or: python -m lessons run 23)

Part 1: producers in every language put JSON jobs on one durable queue; workers in Python, PHP,
Ruby and Go share them (manual acks, prefetch 1), and a malformed message is dead-lettered.
Part 2: every language sends a Celery task (protocol v2) to Python workers and gets the result
back, from Redis or over AMQP (rpc://). Languages whose toolchain is missing are skipped with
the apt-get line that brings them (toolchains.txt; `make languages` installs them all). Go and
Java are compiled into a temporary folder first (go build, javac).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis

from lessons import broker
from lessons.management import Management
from lessons.runner import RoleFailed, Story, celery_env, eventually, wait_until
from lessons.settings import REDIS_URL

LESSON = "celery_basics.lesson23_other_languages"
FOLDER = Path(__file__).resolve().parent
JOBS, DEAD_LETTERS = "lesson23_jobs", "lesson23_jobs_dead"
TASKS, RPC = "lesson23_other_languages", "lesson23_rpc"
LANGUAGES = {"python": "Python", "php": "PHP", "ruby": "Ruby", "java": "Java", "go": "Go", "node": "Node.js"}
WORKER_LANGUAGES = ("python", "php", "ruby", "go")
JAVA_CLASSPATH = ":".join(f"/usr/share/java/{jar}.jar" for jar in ("amqp-client", "slf4j-api", "slf4j-nop", "gson"))
GO_ENV = {"GO111MODULE": "off", "GOPATH": "/usr/share/gocode"}  # Debian's Go sources, no module proxy
JOBS_EACH, JOB_SECONDS = 3, "0.2"  # the demo's jobs take 0.2 s (a learner's default is 1 s)
READY = r"\[\*\] Waiting for jobs"
QUIET = ("--without-mingle", "--without-gossip")
# Each language asks for add(x, y) with its own numbers, so the results tell them apart.
TASK_ARGS = {"python": ("[4]", '{"y": 5}', 9), "php": ("[1, 2]", "{}", 3), "ruby": ("[3, 4]", "{}", 7),
             "java": ("[5, 6]", "{}", 11), "go": ("[7, 8]", "{}", 15), "node": ("[9, 10]", "{}", 19)}


def toolchains() -> dict[str, tuple[str, str]]:
    """{language: (check command, Debian packages)} from toolchains.txt."""
    found = {}
    for line in (FOLDER / "toolchains.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, check, packages = (part.strip() for part in line.split("|"))
            found[name] = (check, packages)
    return found


def languages_here(chains: dict[str, tuple[str, str]] | None = None) -> tuple[list[str], list[str]]:
    """(the languages this machine can run, a hint for each missing one: the line that brings it)."""
    chains = toolchains() if chains is None else chains

    def ready(name: str) -> bool:
        check = subprocess.run(["sh", "-c", chains[name][0]], capture_output=True, timeout=60)
        return check.returncode == 0

    with ThreadPoolExecutor() as pool:
        present = dict(zip(chains, pool.map(ready, chains), strict=True))
    hints = [f"({LANGUAGES[name]} is not installed here, so its part is skipped. It takes: "
             f"sudo apt-get install {chains[name][1]}   (or 'make languages' for every language))"
             for name, ok in present.items() if not ok]
    if present.get("node") and not (FOLDER / "node" / "node_modules" / "amqplib").is_dir():
        hints.append("(Node.js is here but not its npm packages, so its part is skipped. Run: "
                     "npm ci --prefix celery_basics/lesson23_other_languages/node   (or 'make languages'))")
        present["node"] = False
    return ["python", *(name for name in chains if present[name])], hints


def build(languages: list[str], into: Path) -> None:
    """Compile the Go programs and the Java classes into `into` (a temporary folder)."""
    jobs = []
    if "go" in languages:
        jobs += [(["go", "build", "-o", str(into / program), f"./go/{program}"], GO_ENV)
                 for program in ("send_jobs", "job_worker", "send_task")]
    if "java" in languages:
        jobs.append((["javac", "-cp", JAVA_CLASSPATH, "-d", str(into / "java"),
                      "java/SendJobs.java", "java/SendTask.java"], {}))

    def run(job):
        argv, env = job
        result = subprocess.run(argv, cwd=FOLDER, capture_output=True, text=True, timeout=300,
                                env={**os.environ, **env})
        if result.returncode != 0:
            raise RoleFailed(f"'{' '.join(argv)}' failed:\n{result.stdout}{result.stderr}")

    with ThreadPoolExecutor() as pool:
        list(pool.map(run, jobs))


def program(language: str, role: str, built: Path) -> list[str] | None:
    """The command line of one language's send_jobs, job_worker or send_task (None: not written)."""
    if language == "python":
        return [sys.executable, "-m", f"{LESSON}.{role}"]
    if language == "php":
        return ["php", str(FOLDER / "php" / f"{role}.php")]
    if language == "ruby":
        return ["ruby", str(FOLDER / "ruby" / f"{role}.rb")]
    if language == "go":
        return [str(built / role)]
    if language == "java" and role != "job_worker":
        return ["java", "-cp", f"{JAVA_CLASSPATH}:{built / 'java'}", "SendJobs" if role == "send_jobs" else "SendTask"]
    if language == "node" and role != "job_worker":
        return ["node", str(FOLDER / "node" / f"{role}.js")]
    return None


def spoken(names) -> str:
    """'PHP, Ruby and Go'."""
    names = list(names)
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def worker_name(language: str) -> str:
    """The role prefix of a language's job worker (ten characters at most, so the columns line up)."""
    return "worker-" + {"python": "py", "ruby": "rb"}.get(language, language)


def done_jobs(worker) -> list[str]:
    return [m.group(1) for m in worker.matches(r"\[x\] Done (\S+)")]


def main(argv=None) -> int:
    with Story(23, argv) as story:
        story.start_fresh(queues=[JOBS, DEAD_LETTERS, TASKS, RPC], exchanges=[TASKS, RPC])
        languages, hints = languages_here()
        for hint in hints:
            story.say(hint)
        built = Path(tempfile.mkdtemp(prefix="lesson23-build-"))
        story.cleanup(lambda: shutil.rmtree(built, ignore_errors=True), always=True)
        store = redis.Redis.from_url(REDIS_URL)
        task_ids = []
        story.cleanup(lambda: store.delete(*[f"celery-task-meta-{i}" for i in task_ids]) if task_ids else None,
                      always=True)
        compiled = [LANGUAGES[name] for name in ("go", "java") if name in languages]
        if compiled:
            story.say(f"Compiling the {' and '.join(compiled)} programs into {built} ...")
            build(languages, built)

        # -- Part 1: a work queue ------------------------------------------------------------------
        worker_languages = [name for name in WORKER_LANGUAGES if name in languages]
        story.section(f"One durable queue '{JOBS}': workers in {spoken(LANGUAGES[n] for n in worker_languages)}, "
                      "manual acks, prefetch 1")
        workers = {}
        for language in worker_languages:
            # Python roles stop with SIGTERM here: Ctrl+C's quiet exit is the course launcher's job.
            stop = signal.SIGTERM if language == "python" else signal.SIGINT
            workers[language] = story.start_command(worker_name(language), program(language, "job_worker", built),
                                                    ready=READY, stop_signal=stop)

        story.section(f"Producers in {plural(len(languages), 'language')} send {JOBS_EACH} JSON jobs each")
        producers = [story.start_command(language, [*program(language, "send_jobs", built),
                                                    "--count", str(JOBS_EACH), "--seconds", JOB_SECONDS])
                     for language in languages]
        for producer in producers:
            if producer.wait(timeout=60) != 0:
                raise RoleFailed(f"{producer.name} could not send its jobs:\n{producer._tail()}")
        expected = {f"{language}-{n}" for language in languages for n in range(1, JOBS_EACH + 1)}
        wait_until(lambda: set(sum((done_jobs(w) for w in workers.values()), [])) >= expected, timeout=60,
                   interval=0.05, what=f"the workers to finish {len(expected)} jobs")
        done = sum((done_jobs(w) for w in workers.values()), [])
        story.table("Who did which job (rows: the worker's language; columns: the sender's)",
                    ["worker", *(LANGUAGES[name] for name in languages), "total"],
                    [(LANGUAGES[worker], *(sum(job.startswith(f"{sender}-") for job in done_jobs(process))
                                           for sender in languages), len(done_jobs(process)))
                     for worker, process in workers.items()])
        story.check(sorted(done) == sorted(expected),
                    f"all {len(expected)} jobs from {plural(len(languages), 'language')} were done, each exactly once")
        if len(workers) > 1:
            story.check(all(done_jobs(process) for process in workers.values()),
                        f"each of the {len(workers)} workers took some: prefetch 1 spreads the jobs")
        management = Management()

        def settled():  # the management API's counts lag by up to 5 s
            queue = management.queue(JOBS) or {}
            return (queue.get("messages") == 0 and queue.get("messages_unacknowledged") == 0
                    and queue.get("consumers") == len(workers))

        story.check(eventually(settled, timeout=15) and management.queue(JOBS)["durable"],
                    f"the management API: '{JOBS}' is durable, empty, nothing unacknowledged, "
                    f"{plural(len(workers), 'consumer')}")

        story.section("A message that is not JSON reaches the Python worker")
        for language, process in workers.items():
            if language != "python":
                process.stop()
        others = [name for name in workers if name != "python"]
        if others:
            story.check(all(workers[name].returncode == 0 and workers[name].count(r"\[x\] Bye") == 1
                            for name in others),
                        f"the {spoken(LANGUAGES[name] for name in others)} workers stopped cleanly on Ctrl+C (SIGINT)")
        story.run("python", f"{LESSON}.send_jobs", "--raw", '{"id": "broken",')
        python_worker = workers["python"]
        python_worker.wait_for(r"\[!\] Rejected")
        story.check(eventually(lambda: broker.queue_depth(DEAD_LETTERS) == 1) and broker.queue_depth(JOBS) == 0,
                    f"the worker rejected it without requeue: it sits in '{DEAD_LETTERS}', not in '{JOBS}'")
        dead = management.peek(DEAD_LETTERS)[0]
        death = dead["properties"]["headers"]["x-death"][0]
        story.say(f"In '{DEAD_LETTERS}': payload {dead['payload']!r}, x-death reason '{death['reason']}', "
                  f"from queue '{death['queue']}', count {death['count']}")
        story.check(python_worker.count(r"\[!\] Rejected") == 1 and death["reason"] == "rejected",
                    "it was delivered once: a poison message is not redelivered forever")
        python_worker.stop()

        # -- Part 2: Celery tasks from every language -------------------------------------------------
        story.section("Two Celery workers: results in Redis, or sent back over AMQP (rpc://)")
        celery_module = "tasks"  # as a learner types it, in the lesson's folder
        worker = story.start_worker("worker", celery_module, "--concurrency", "1", *QUIET, ready=None)
        rpc_worker = story.start_command(
            "rpc-worker", [sys.executable, "-m", "celery", "-A", celery_module, "--result-backend", "rpc://", "worker",
                           "-Q", RPC, "--hostname", "rpc-worker@%h", "--loglevel", "INFO", "--concurrency", "1",
                           *QUIET], env=celery_env(), stop_signal=signal.SIGTERM)
        for process in (worker, rpc_worker):
            process.wait_for(r"\bready\.", timeout=60)

        story.section("Each language sends lesson23.add (protocol v2) and waits for the result")
        results = {}
        for language in languages:
            args, kwargs, _ = TASK_ARGS[language]
            extra = ("--show-message",) if language == "python" else ()
            run = story.start_command(language, [*program(language, "send_task", built), "--args", args,
                                                 "--kwargs", kwargs, *extra])
            code = run.wait(timeout=60)
            got = run.matches(r"\[\.\] Got (\S+) ")
            task_ids.extend(m.group(1) for m in run.matches(r"\[x\] Sent \S+\[([0-9a-f-]{36})\]"))
            results[language] = (code, json.loads(got[0].group(1)) if got else None)
        story.check(all(results[name] == (0, TASK_ARGS[name][2]) for name in languages),
                    "every language got its sum back: " + ", ".join(
                        f"{LANGUAGES[name]} {results[name][1]}" for name in languages))
        via_rpc = rpc_worker.count(r"lesson23\.add\[\S+\] succeeded")
        story.check(via_rpc == ("java" in languages)
                    and worker.count(r"lesson23\.add\[\S+\] succeeded") == len(languages) - via_rpc,
                    ("Java's task ran on the rpc:// worker, the others on the Redis one" if "java" in languages
                     else "every task ran on the Redis worker (no Java here for the rpc:// route)")
                    + ": the worker cannot tell which language sent a task")
        python_id = task_ids[0]
        raw = json.loads(store.get(f"celery-task-meta-{python_id}"))
        story.say(f"Redis GET celery-task-meta-{python_id[:8]}... -> "
                  + json.dumps({k: raw[k] for k in ("status", "result", "traceback", "task_id")}))

        story.section("A task name no worker knows: a failure, at once"
                      + (", on both routes" if "java" in languages else ""))
        story.say("The workers' reports of an unknown task are long (the whole message and a KeyError "
                  "traceback), so they are summarised here; run the roles by hand to read them.")
        unknown_senders = [name for name in ("php", "java", "python") if name in languages][:2]
        with worker.quiet(), rpc_worker.quiet():
            for language in unknown_senders:
                queue = RPC if language == "java" else TASKS
                run = story.start_command(language, [*program(language, "send_task", built), "--task", "lesson23.nope",
                                                     "--queue", queue, "--timeout", "10"])
                results[language] = run.wait(timeout=60)
                task_ids.extend(m.group(1) for m in run.matches(r"\[x\] Sent \S+\[([0-9a-f-]{36})\]"))
            wait_until(lambda: worker.count("Received unregistered task") + rpc_worker.count(
                "Received unregistered task") == len(unknown_senders), what="the workers to log the unknown task")
        for process in (worker, rpc_worker):
            for line in process.lines:
                if "unregistered task" in line or "ignored and discarded" in line:
                    story.say(f"{process.name:>10} | {line}")
        story.check(all(results[name] == 2 for name in unknown_senders),
                    f"{spoken(LANGUAGES[n] for n in unknown_senders)} got FAILURE NotRegistered back "
                    "and stopped waiting")
        story.check(broker.queue_depth(TASKS) == 0 and broker.queue_depth(RPC) == 0,
                    "the workers rejected the messages: the queues are empty, nothing is redelivered")

        story.section("No worker: the producer waits, then says so (the message waits in the queue)")
        worker.stop()
        late_sender = "go" if "go" in languages else "python"
        late = story.start_command(late_sender, [*program(late_sender, "send_task", built), "--args", "[20, 22]",
                                                 "--timeout", "2"])
        code = late.wait(timeout=60)
        task_ids.extend(m.group(1) for m in late.matches(r"\[x\] Sent \S+\[([0-9a-f-]{36})\]"))
        story.check(code == 1 and late.count(r"\[!\] Timed out: no result for lesson23\.add") == 1,
                    f"after 2 s the {LANGUAGES[late_sender]} producer gave up with a clear timeout message")
        story.check(broker.queue_depth(TASKS) == 1, "the task message waits in the queue (durable, persistent)")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
