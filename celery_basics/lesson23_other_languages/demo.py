"""Lesson 23's story in one terminal: one broker between Python, PHP, Ruby, Java, Go and Node.js.

    make lesson-23            (or: python -m lessons run 23)

Part 1: each job worker (Python, PHP, Ruby, Go) alone gets four bad messages and a good job: it
dead-letters the bad ones, does the good one and keeps running. Then producers in every language
put JSON jobs on one durable queue and the workers share them (manual acks, prefetch 1, as the
management API shows); a worker killed mid-job gives its job back to the others.
Part 2: every language sends a Celery task (protocol v2) to Python workers and gets the result
back, from Redis or over AMQP (rpc://); a queue that refuses the message makes every sender say
so (publisher confirms: a nack). Languages whose toolchain is missing are skipped with
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

import pika
import redis

from lessons import broker
from lessons.broker import celery_env
from lessons.management import Management
from lessons.processes import Process, RoleFailed
from lessons.settings import REDIS_URL
from lessons.story import Story
from lessons.waiting import eventually, wait_until

LESSON = "celery_basics.lesson23_other_languages"
FOLDER = Path(__file__).resolve().parent
JOBS, DEAD_LETTERS = "lesson23_jobs", "lesson23_jobs_dead"
FULL = "lesson23_full"  # a queue that takes nothing: every publish to it is nacked
TASKS, RPC = "lesson23_other_languages", "lesson23_rpc"
LANGUAGES = {"python": "Python", "php": "PHP", "ruby": "Ruby", "java": "Java", "go": "Go", "node": "Node.js"}
WORKER_LANGUAGES = ("python", "php", "ruby", "go")
JAVA_CLASSPATH = ":".join(f"/usr/share/java/{jar}.jar" for jar in ("amqp-client", "slf4j-api", "slf4j-nop", "gson"))
GO_ENV = {"GO111MODULE": "off", "GOPATH": "/usr/share/gocode"}  # Debian's Go sources, no module proxy
JOBS_EACH, JOB_SECONDS = 3, "0.2"  # the demo's jobs take 0.2 s (a learner's default is 1 s)
READY = r"\[\*\] Waiting for jobs"
# Four messages that are not jobs, and the reason every worker gives for each (the same rule in
# every language: a JSON object, "id" a non-empty string, "seconds" a number from 0 to 60).
BAD_INPUTS = {"not json": "not JSON", "42": "not a JSON object",
              '{"id": "neg", "seconds": -1}': "seconds is not a number from 0 to 60",
              '{"id": "str", "seconds": "1"}': "seconds is not a number from 0 to 60"}
SLOW_SECONDS = 2  # long enough to kill a worker in the middle of the job, also on a busy machine
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


def publish(*bodies: str) -> None:
    """Put these bodies on the jobs queue as they are (JSON content type, persistent)."""
    properties = pika.BasicProperties(content_type="application/json", delivery_mode=pika.DeliveryMode.Persistent)
    with broker.channel() as channel:
        for body in bodies:
            channel.basic_publish("", JOBS, body.encode(), properties)


def ready_and_consumers(queue: str) -> tuple[int, int]:
    """(messages ready, consumers) of a queue, from a passive declare: no management API lag."""
    with broker.channel() as channel:
        method = channel.queue_declare(queue=queue, passive=True).method
        return method.message_count, method.consumer_count


def consumers_of(management: Management, queue: str) -> list[dict]:
    """The management API's consumers of one queue, each with its connection's client product."""
    consumers = [c for c in management.get("consumers", management.vhost) if c["queue"]["name"] == queue
                 and c["channel_details"]]  # a closed channel's consumer lingers a moment, without details
    clients = {c["name"]: c.get("client_properties", {}) for c in management.get("connections")}
    for consumer in consumers:
        client = clients.get(consumer["channel_details"]["connection_name"], {})
        consumer["client"] = f"{client.get('product', '?')} {client.get('version', '')}".strip()
    return consumers


class Stage:
    """What the scenes share: the story, the languages found here and where their programs were built."""

    def __init__(self, story: Story, languages: list[str], built: Path):
        self.story, self.languages, self.built = story, languages, built
        self.workers = [name for name in WORKER_LANGUAGES if name in languages]
        self.management = Management()
        self.task_ids: list[str] = []  # removed from Redis at the end

    def start_worker(self, language: str, name: str | None = None) -> Process:
        # Python roles stop with SIGTERM here: Ctrl+C's quiet exit is the course launcher's job.
        stop = signal.SIGTERM if language == "python" else signal.SIGINT
        return self.story.start_command(name or worker_name(language), program(language, "job_worker", self.built),
                                        ready=READY, stop_signal=stop)

    def run(self, language: str, role: str, *args: str) -> Process:
        """Start one language's send_jobs or send_task with these arguments."""
        return self.story.start_command(language, [*program(language, role, self.built), *args])

    def finished(self, process: Process, timeout: float = 60) -> int:
        """Wait for a sender to end; remember the ids of the tasks it sent. Return its exit code."""
        code = process.wait(timeout=timeout)
        self.task_ids.extend(m.group(1) for m in process.matches(r"\[x\] Sent \S+\[([0-9a-f-]{36})\]"))
        return code


def main(argv=None) -> int:
    with Story(23, argv) as story:
        tell(story)
    return story.exit_code


def tell(story: Story) -> None:
    story.start_fresh(queues=[JOBS, DEAD_LETTERS, TASKS, RPC, FULL], exchanges=[TASKS, RPC])
    languages, hints = languages_here()
    for hint in hints:
        story.say(hint)
    built = Path(tempfile.mkdtemp(prefix="lesson23-build-"))
    story.cleanup(lambda: shutil.rmtree(built, ignore_errors=True), always=True)
    stage = Stage(story, languages, built)
    store = redis.Redis.from_url(REDIS_URL)
    story.cleanup(lambda: store.delete(*[f"celery-task-meta-{i}" for i in stage.task_ids]) if stage.task_ids
                  else None, always=True)
    compiled = [LANGUAGES[name] for name in ("go", "java") if name in languages]
    if compiled:
        story.say(f"Compiling the {' and '.join(compiled)} programs into {built} ...")
        build(languages, built)

    # Part 1: a work queue
    bad_input(stage)
    workers = work_queue(stage)
    killed_worker(stage, workers)
    # Part 2: Celery tasks from every language
    worker, rpc_worker = celery_workers(story)
    every_language_adds(stage, worker, rpc_worker, store)
    unknown_task(stage, worker, rpc_worker)
    queue_that_takes_nothing(stage)
    no_worker(stage, worker)


def bad_input(stage: Stage) -> None:
    story = stage.story
    story.section(f"Bad input: each worker alone on '{JOBS}' gets {len(BAD_INPUTS)} messages that are not "
                  "jobs, then a good one")
    story.say("The bad ones, all sent as application/json, and the reason every worker must give: "
              + "; ".join(f"{body} -> {reason}" for body, reason in BAD_INPUTS.items()))
    rows = []
    for language in stage.workers:
        worker = stage.start_worker(language)
        dead_after = broker.queue_depth(DEAD_LETTERS) + len(BAD_INPUTS)
        good = f"good-{language}"
        publish(*BAD_INPUTS, json.dumps({"id": good, "sent_by": "demo", "seconds": 0.1}))
        finished = eventually(lambda w=worker, g=good, n=dead_after:
                              g in done_jobs(w) and broker.queue_depth(DEAD_LETTERS) == n, timeout=20)
        reasons = [m.group(1) for m in worker.matches(r"\[!\] Rejected \((.+?)\):")]
        ready, consumers = ready_and_consumers(JOBS)
        running = worker.running and consumers == 1
        agreed = reasons == list(BAD_INPUTS.values())
        rows.append((LANGUAGES[language], f"{len(reasons)}" + (", the agreed reasons" if agreed else f": {reasons}"),
                     "done" if good in done_jobs(worker) else "NOT done", "yes" if running else "NO"))
        story.check(finished and agreed and ready == 0 and running,
                    f"the {LANGUAGES[language]} worker dead-lettered the {len(BAD_INPUTS)} bad messages with "
                    "the agreed reasons, did the good job and still runs")
        worker.stop()
        if language != "python":
            story.check(worker.returncode == 0 and worker.count(r"\[x\] Bye") == 1,
                        f"the {LANGUAGES[language]} worker stopped cleanly on Ctrl+C (SIGINT)")
    story.table("What each worker did with the five messages, alone on the queue",
                ["worker", "rejected", "good job", "still running"], rows)
    dead = stage.management.peek(DEAD_LETTERS, len(BAD_INPUTS) * len(stage.workers) + 1)
    deaths = [m["properties"]["headers"]["x-death"][0] for m in dead]
    story.check(sorted(m["payload"] for m in dead) == sorted(list(BAD_INPUTS) * len(stage.workers))
                and all((d["reason"], d["queue"], d["count"]) == ("rejected", JOBS, 1) for d in deaths),
                f"'{DEAD_LETTERS}' holds exactly the {len(dead)} bad messages, each rejected once from '{JOBS}' "
                "(x-death): none was requeued, no good job is there")
    first = dead[0]
    story.say(f"In '{DEAD_LETTERS}', for example: payload {first['payload']!r}, x-death reason "
              f"'{deaths[0]['reason']}', from queue '{deaths[0]['queue']}', count {deaths[0]['count']}")


def work_queue(stage: Stage) -> dict[str, Process]:
    """Workers in every language share the jobs producers in every language send; return the workers."""
    story, languages, management = stage.story, stage.languages, stage.management
    story.section(f"One durable queue '{JOBS}': workers in {spoken(LANGUAGES[n] for n in stage.workers)}, "
                  "manual acks, prefetch 1")
    workers = {language: stage.start_worker(language) for language in stage.workers}
    story.section(f"Producers in {plural(len(languages), 'language')} send {JOBS_EACH} JSON jobs each")
    producers = [stage.run(language, "send_jobs", "--count", str(JOBS_EACH), "--seconds", JOB_SECONDS)
                 for language in languages]
    for producer in producers:
        if producer.wait(timeout=60) != 0:
            raise RoleFailed(f"{producer.name} could not send its jobs:\n{producer.tail()}")
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
    # The management API lists a new consumer after a few seconds: by now it does.
    eventually(lambda: len(consumers_of(management, JOBS)) == len(workers), timeout=15)
    seen = consumers_of(management, JOBS)
    story.table(f"GET /api/consumers: the consumers of '{JOBS}'",
                ["client (its connection's product)", "ack_required", "prefetch_count"],
                [(c["client"], c["ack_required"], c["prefetch_count"]) for c in seen])
    story.check(len(seen) == len(workers) and all(c["ack_required"] and c["prefetch_count"] == 1 for c in seen),
                f"the management API shows {plural(len(workers), 'consumer')}, each with ack_required true "
                "and prefetch_count 1: manual acks, one job at a time")
    story.check(eventually(lambda: settled(management, len(workers)), timeout=15) and management.queue(JOBS)["durable"],
                f"the management API: '{JOBS}' is durable, empty, nothing unacknowledged, "
                f"{plural(len(workers), 'consumer')}")
    return workers


def settled(management: Management, consumers: int) -> bool:
    """The jobs queue is empty, nothing unacknowledged, `consumers` consumers (the API lags by up to 5 s)."""
    queue = management.queue(JOBS) or {}
    return (queue.get("messages") == 0 and queue.get("messages_unacknowledged") == 0
            and queue.get("consumers") == consumers)


def killed_worker(stage: Stage, workers: dict[str, Process]) -> None:
    story, management = stage.story, stage.management
    story.section("A worker killed in the middle of a job (SIGKILL): the broker gives the job to another")
    if len(workers) == 1:  # Python alone: a second Python worker to take over
        workers["python-2"] = stage.start_worker("python", "worker-py2")
    victim = workers.pop(next(iter(workers)))
    slow = [f"slow-{n}" for n in range(1, len(workers) + 2)]
    publish(*(json.dumps({"id": job, "sent_by": "demo", "seconds": SLOW_SECONDS}) for job in slow))
    with broker.channel() as channel:  # one connection, so that each look takes a round trip, no more
        wait_until(lambda: channel.queue_declare(JOBS, passive=True).method.message_count == 0, interval=0.02,
                   what="every worker to take one slow job")
    victim.kill()
    story.say(f"{len(slow)} jobs of {SLOW_SECONDS:g} s, {plural(len(slow), 'worker')}: with prefetch 1 each holds "
              f"one and none is left in the queue. {victim.name} was killed (SIGKILL) now, before its ack.")
    wait_until(lambda: set(sum((done_jobs(w) for w in workers.values()), [])) >= set(slow), timeout=30,
               interval=0.05, what="the other workers to finish the slow jobs")
    done_slow = [job for w in workers.values() for job in done_jobs(w) if job.startswith("slow-")]
    story.check(sorted(done_slow) == sorted(slow) and not [j for j in done_jobs(victim) if j.startswith("slow-")],
                f"the {len(slow)} slow jobs were done once each, all by the workers still alive; "
                f"{victim.name} finished none")

    def redelivered_once():
        queue = management.queue(JOBS) or {}
        return settled(management, len(workers)) and queue.get("message_stats", {}).get("redeliver") == 1

    flagged = sum(w.count(r"\[x\] Done slow-\d+ \(redelivered\)") for w in workers.values())
    story.check(eventually(redelivered_once, timeout=15) and flagged == 1,
                f"the broker redelivered exactly one message, the killed worker's (management API: "
                f"'{JOBS}' redeliver 1, nothing left or unacknowledged), and its new worker saw the redelivered flag")
    for process in workers.values():
        process.stop()
    # The other languages' workers stop on SIGINT and say Bye; Python's stop with SIGTERM (start_worker).
    others = [process for language, process in workers.items() if language in WORKER_LANGUAGES[1:]]
    if others:
        story.check(all(process.returncode == 0 and process.count(r"\[x\] Bye") == 1 for process in others),
                    "every worker still alive stopped cleanly on Ctrl+C")
    story.check(broker.queue_depth(DEAD_LETTERS) == len(BAD_INPUTS) * len(stage.workers),
                f"'{DEAD_LETTERS}' gained nothing more: a worker that dies is not a poison message")


def celery_workers(story: Story) -> tuple[Process, Process]:
    """A Celery worker with results in Redis, and one on the rpc queue with results sent back over AMQP."""
    story.section("Two Celery workers: results in Redis, or sent back over AMQP (rpc://)")
    celery_module = "tasks"  # as a learner types it, in the lesson's folder
    worker = story.start_worker("worker", celery_module, "--concurrency", "1", *QUIET, ready=None)
    rpc_worker = story.start_command(
        "rpc-worker", [sys.executable, "-m", "celery", "-A", celery_module, "--result-backend", "rpc://", "worker",
                       "-Q", RPC, "--hostname", "rpc-worker@%h", "--loglevel", "INFO", "--concurrency", "1",
                       *QUIET], env=celery_env(), stop_signal=signal.SIGTERM)
    for process in (worker, rpc_worker):
        process.wait_for(r"\bready\.", timeout=60)
    return worker, rpc_worker


def every_language_adds(stage: Stage, worker: Process, rpc_worker: Process, store: redis.Redis) -> None:
    story, languages = stage.story, stage.languages
    story.section("Each language sends lesson23.add (protocol v2) and waits for the result")
    results = {}
    for language in languages:
        args, kwargs, _ = TASK_ARGS[language]
        extra = ("--show-message",) if language == "python" else ()
        run = stage.run(language, "send_task", "--args", args, "--kwargs", kwargs, *extra)
        code = stage.finished(run)
        got = run.matches(r"\[\.\] Got (\S+) ")
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
    python_id = stage.task_ids[0]
    raw = json.loads(store.get(f"celery-task-meta-{python_id}"))
    story.say(f"Redis GET celery-task-meta-{python_id[:8]}... -> "
              + json.dumps({k: raw[k] for k in ("status", "result", "traceback", "task_id")}))


def unknown_task(stage: Stage, worker: Process, rpc_worker: Process) -> None:
    story, languages = stage.story, stage.languages
    story.section("A task name no worker knows: a failure, at once"
                  + (", on both routes" if "java" in languages else ""))
    story.say("The workers' reports of an unknown task are long (the whole message and a KeyError "
              "traceback), so they are summarised here; run the roles by hand to read them.")
    senders = [name for name in ("php", "java", "python") if name in languages][:2]
    codes = {}
    with worker.quiet(), rpc_worker.quiet():
        for language in senders:
            queue = RPC if language == "java" else TASKS
            codes[language] = stage.finished(stage.run(language, "send_task", "--task", "lesson23.nope",
                                                       "--queue", queue, "--timeout", "10"))
        wait_until(lambda: worker.count("Received unregistered task") + rpc_worker.count(
            "Received unregistered task") == len(senders), what="the workers to log the unknown task")
    for process in (worker, rpc_worker):
        for line in process.lines:
            if "unregistered task" in line or "ignored and discarded" in line:
                story.say(f"{process.name:>10} | {line}")
    story.check(all(codes[name] == 2 for name in senders),
                f"{spoken(LANGUAGES[n] for n in senders)} got FAILURE NotRegistered back and stopped waiting")
    story.check(broker.queue_depth(TASKS) == 0 and broker.queue_depth(RPC) == 0,
                "the workers rejected the messages: the queues are empty, nothing is redelivered")


def queue_that_takes_nothing(stage: Stage) -> None:
    story, languages = stage.story, stage.languages
    story.section(f"A queue that takes nothing ('{FULL}': x-max-length 0, x-overflow reject-publish): "
                  "the broker nacks")
    with broker.channel() as channel:
        channel.queue_declare(FULL, durable=True, arguments={"x-max-length": 0, "x-overflow": "reject-publish"})
    refused = {}
    for language in languages:
        run = stage.run(language, "send_task", "--queue", FULL, "--timeout", "2")
        refused[language] = (run.wait(timeout=60),
                             run.count(r"\[!\] The broker refused the message \(nack\)"), run.count(r"\[x\] Sent"))
    story.check(all(refused[name] == (1, 1, 0) for name in languages),
                f"every sender ({spoken(LANGUAGES[n] for n in languages)}) read the broker's answer to its "
                "publish: a nack, so it said so instead of waiting for a result")
    story.check(broker.queue_depth(FULL) == 0, f"'{FULL}' holds nothing: the nacked messages were not queued")


def no_worker(stage: Stage, worker: Process) -> None:
    story = stage.story
    story.section("No worker: the producer waits, then says so (the message waits in the queue)")
    worker.stop()
    sender = "go" if "go" in stage.languages else "python"
    late = stage.run(sender, "send_task", "--args", "[20, 22]", "--timeout", "2")
    code = stage.finished(late)
    story.check(code == 1 and late.count(r"\[!\] Timed out: no result for lesson23\.add") == 1,
                f"after 2 s the {LANGUAGES[sender]} producer gave up with a clear timeout message")
    story.check(broker.queue_depth(TASKS) == 1, "the task message waits in the queue (durable, persistent)")


if __name__ == "__main__":
    sys.exit(main())
