"""Lesson 23 end to end: the demo in six languages (each job worker alone fed bad input, acks and
prefetch from the management API, a worker killed mid-job, a nack to every sender), each
language's messages beside Celery's own, unknown tasks and unroutable messages in every language,
a dead broker or a wrong password, and the manifests (composer.json, Gemfile, go.mod, pom.xml,
package.json) true to what runs."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from helpers import ROOT, assert_clean_run, lesson_processes, read_until, run_lesson, start_lesson

from celery_basics.lesson23_other_languages import demo
from lessons import broker, settings
from lessons.broker import celery_env
from lessons.processes import Process

FOLDER = demo.FOLDER
TASKS, RPC, JOBS, DEAD_LETTERS, FULL = demo.TASKS, demo.RPC, demo.JOBS, demo.DEAD_LETTERS, demo.FULL
ALL = list(demo.LANGUAGES)
HERE, HINTS = demo.languages_here()
# Celery headers a hand-built message may leave out: Celery fills them in with their defaults.
# ignore_result is left out on purpose: Celery's client sends the task's own setting, and a
# hand-built false would override a task declared ignore_result=True (worker/request.py).
OPTIONAL_HEADERS = {"group_index", "replaced_task_nesting", "stamped_headers", "stamps", "ignore_result"}


def present(language: str) -> bool:
    """Whether the language can run here. In CI (.ci/run installs them all) a missing one fails."""
    if language not in HERE and os.environ.get("CI"):
        pytest.fail(f"{language} is not installed in CI: {HINTS}")
    return language in HERE


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The Go programs and Java classes, compiled once for this module's tests."""
    folder = tmp_path_factory.mktemp("lesson23-build")
    demo.build(HERE, folder)
    return folder


def run(language: str, role: str, built, *args: str, env: dict | None = None, timeout: float = 60):
    return subprocess.run([*demo.program(language, role, built), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=FOLDER, env={**os.environ, **(env or {})})


def start_celery_worker(name: str, *options: str, queue: str = TASKS) -> Process:
    """`celery -A tasks [options] worker -Q queue`, ready to take tasks."""
    worker = Process(name, [sys.executable, "-m", "celery", "-A", f"{demo.LESSON}.tasks", *options, "worker",
                            "-Q", queue, "--loglevel", "INFO", "--concurrency", "1", "--without-mingle",
                            "--without-gossip", "--hostname", f"{name}@%h"],
                     colour=None, env=celery_env(), stop_signal=signal.SIGTERM, echo=False)
    worker.wait_for(r"\bready\.", timeout=60)
    return worker


def test_demo_tells_and_checks_the_story_in_every_language(management, redis_client):
    for language in ALL:
        present(language)
    result = run_lesson(23, "--keep", timeout=300)
    out = result.stdout
    build_folder = re.search(r"into (\S+) \.\.\.", out)
    workers = [language for language in demo.WORKER_LANGUAGES if language in HERE]
    try:  # --keep left the queues for the checks below: removed even when the demo failed
        assert_clean_run(result)
        for language in HERE:
            assert re.search(rf"{language} \|  \[x\] Sent {language}-3$", out, re.M), language
            assert re.search(rf"worker-\w+ \|  \[x\] Done {language}-1$", out, re.M), language
            expected = demo.TASK_ARGS[language][2]
            assert re.search(rf"{language} \|  \[\.\] Got {expected} \(", out), language
            # publisher confirms: each sender read the nack of the full queue and sent nothing on
            assert re.search(rf"{language} \|  \[!\] The broker refused the message \(nack\): queue '{FULL}'", out)
        for language in workers:
            # Each worker alone got the four bad messages and a good job: the same reasons everywhere.
            name = demo.worker_name(language)
            reasons = re.findall(rf"^ *{name} \|  \[!\] Rejected \((.+?)\): dead-lettered to {DEAD_LETTERS}$", out, re.M)
            assert reasons == list(demo.BAD_INPUTS.values()), (language, reasons)
            assert re.search(rf"^ *{name} \|  \[x\] Done good-{language}$", out, re.M), language
        assert "Traceback" not in out and "[!] Cannot" not in out
        # One worker was killed mid-job: its slow job was done by another, flagged redelivered, once.
        assert len(re.findall(r"^ *worker-\w+ \|  \[x\] Done slow-\d+ \(redelivered\)$", out, re.M)) == 1
        assert not re.search(r"^ *worker-py \|  \[x\] Done slow-", out, re.M)  # the one killed
        assert 'The worker answered FAILURE: NotRegistered("lesson23.nope")' in out
        assert "[!] Timed out: no result for lesson23.add" in out
        assert "Traceback" not in out
        # From outside, with --keep: the work queue as every language declared it, all acked.
        jobs = management.queue(JOBS)
        # 4.x also lists the queue type it chose ('x-queue-type': 'classic'); 3.10 does not.
        arguments = {k: v for k, v in jobs["arguments"].items() if k != "x-queue-type"}
        assert jobs["durable"] and arguments == {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": DEAD_LETTERS}
        assert jobs["arguments"].get("x-queue-type", "classic") == "classic"
        assert jobs["messages"] == 0 and jobs["messages_unacknowledged"] == 0 and jobs["consumers"] == 0
        assert jobs["message_stats"]["redeliver"] == 1  # the killed worker's job, and nothing else
        assert broker.queue_depth(JOBS) == 0
        # The dead-letter queue holds the bad messages each worker got, and nothing else.
        dead = management.peek(DEAD_LETTERS, len(workers) * len(demo.BAD_INPUTS) + 1)
        assert sorted(m["payload"] for m in dead) == sorted(list(demo.BAD_INPUTS) * len(workers))
        for message in dead:
            death = message["properties"]["headers"]["x-death"][0]
            assert (death["reason"], death["queue"], death["count"]) == ("rejected", JOBS, 1)
        full = management.queue(FULL)  # the queue that nacked every sender took nothing
        assert full["arguments"]["x-overflow"] == "reject-publish" and full["messages"] == 0
        assert broker.queue_depth(TASKS) == 1  # the task sent while no worker ran
        assert broker.queue_depth(RPC) == 0
    finally:
        broker.delete_queues(JOBS, DEAD_LETTERS, TASKS, RPC, FULL)
        broker.delete_exchanges(TASKS, RPC)
    # Nothing else left: no process, no build folder, no result in Redis.
    assert lesson_processes("lesson23") == []
    if build_folder:
        assert not os.path.exists(build_folder.group(1))
    task_ids = set(re.findall(r"\[x\] Sent lesson23\.\w+\[([0-9a-f-]{36})\]", out))
    assert len(task_ids) >= len(HERE) + 2
    assert not [key for key in redis_client.keys("celery-task-meta-*") if key.decode()[17:] in task_ids]


def test_every_language_sends_the_message_celery_sends(management, built):
    from celery_basics.lesson23_other_languages.tasks import add

    senders = [language for language in ALL if present(language)]
    with broker.channel() as channel:  # the queue as the worker declares it
        channel.queue_declare(TASKS, durable=True)
    worker = None
    try:
        # No worker yet: the messages wait, and the management API shows them side by side.
        by_celery = add.apply_async((1, 2))
        for language in senders:
            sent = run(language, "send_task", built, "--args", "[1, 2]", "--queue", TASKS, "--timeout", "0.3")
            assert sent.returncode == 1 and "[!] Timed out: no result for lesson23.add[" in sent.stdout, (
                language, sent.stdout, sent.stderr)
        messages = management.peek(TASKS, len(senders) + 1)
        assert len(messages) == len(senders) + 1
        celery_msg, *ours = messages
        reference, celery_props = celery_msg["properties"]["headers"], celery_msg["properties"]
        assert reference["root_id"] == reference["id"] == celery_props["correlation_id"]
        for language, message in zip(senders, ours, strict=True):
            headers, properties = message["properties"]["headers"], message["properties"]
            assert json.loads(message["payload"]) == json.loads(celery_msg["payload"]), language  # [[1, 2], {}, embed]
            assert set(headers) <= set(reference), (language, set(headers) - set(reference))
            assert set(reference) - set(headers) <= OPTIONAL_HEADERS, (language, set(reference) - set(headers))
            for key in set(headers) - {"id", "root_id", "origin", "argsrepr", "kwargsrepr"}:
                assert headers[key] == reference[key], (language, key, headers[key], reference[key])
            # [hard, soft], both void as Celery sends them (the management API shows void as "undefined")
            assert headers["timelimit"] == reference["timelimit"] == ["undefined", "undefined"]
            assert headers["id"] == headers["root_id"] == properties["correlation_id"], language  # a lone task
            assert headers["origin"].startswith(f"{language}@"), headers["origin"]
            assert json.loads(headers["argsrepr"]) == [1, 2]
            assert "ignore_result" not in headers, language  # the worker then uses the task's own setting
            for key in ("content_type", "content_encoding", "delivery_mode"):
                assert properties[key] == celery_props[key], (language, key)
            # Go's amqp091 leaves a property out at its zero value: no priority is priority 0.
            assert properties.get("priority", 0) == celery_props["priority"] == 0, language
            if language == "java":  # the rpc:// route: the broker names the direct reply-to channel
                assert properties["reply_to"].startswith("amq.rabbitmq.reply-to.")
            else:
                assert "reply_to" not in properties, language

        worker = start_celery_worker("t23")
        worker.wait_for(r"lesson23\.add\[\S+\] succeeded in \S+: 3", count=len(senders) + 1)  # all ran
        assert by_celery.get(timeout=10) == 3
        del by_celery  # let go of its Redis subscription now, not while Python shuts down
    finally:
        if worker is not None:
            worker.stop()
        broker.delete_queues(TASKS)
        broker.delete_exchanges(TASKS)
    assert lesson_processes(demo.LESSON) == []


def test_unknown_task_and_unroutable_message_in_every_language(built):
    senders = [language for language in ALL if present(language)]
    workers = []
    try:
        workers.append(start_celery_worker("t23"))
        workers.append(start_celery_worker("t23-rpc", "--result-backend", "rpc://", queue=RPC))
        for language in senders:
            queue = RPC if language == "java" else TASKS
            unknown = run(language, "send_task", built, "--task", "lesson23.nope", "--queue", queue, "--timeout", "10")
            assert unknown.returncode == 2, (language, unknown.stdout, unknown.stderr)
            assert 'The worker answered FAILURE: NotRegistered("lesson23.nope")' in unknown.stdout, language
            assert "No worker knows a task named 'lesson23.nope': it rejected the message." in unknown.stdout
            # Unroutable: a queue nobody declared is an error at once, not a silent loss.
            lost = run(language, "send_task", built, "--queue", "lesson23_nobody_here", "--timeout", "10")
            assert lost.returncode == 1 and "[!] No queue 'lesson23_nobody_here'" in lost.stdout, (language, lost)
        unregistered = sum(w.count(r"Received unregistered task of type 'lesson23.nope'") for w in workers)
        assert unregistered == len(senders)
        assert broker.queue_depth(TASKS) == 0 and broker.queue_depth(RPC) == 0  # rejected, not requeued
    finally:
        for worker in workers:
            worker.stop()
        broker.delete_queues(TASKS, RPC)
        broker.delete_exchanges(TASKS, RPC)
    assert lesson_processes(demo.LESSON) == []


def _with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{password}@{parts.hostname}:{parts.port or 5672}"))


@pytest.mark.parametrize("role", ["send_jobs", "job_worker", "send_task"])
def test_a_stopped_broker_or_a_wrong_password_ends_in_one_sentence(role, built):
    stopped = "amqp://course:course@127.0.0.1:1/%2F"
    wrong = _with_password(os.environ["AMQP_URL"], "not-the-password")
    host = urlsplit(os.environ["AMQP_URL"]).netloc.split("@")[1]
    for language in [name for name in ALL if name != "python" and present(name)]:
        if demo.program(language, role, built) is None:
            continue
        for url, where, reason in ((stopped, "127.0.0.1:1", r"(?i)refused|could not establish"),
                                   (wrong, host, r"ACCESS.REFUSED|403|Authentication")):
            started = time.monotonic()
            result = run(language, role, built, env={"AMQP_URL": url}, timeout=30)
            elapsed = time.monotonic() - started
            print(f"{language} {role} against {where}: gave up after {elapsed:.1f} s")
            said = result.stdout + result.stderr
            assert result.returncode == 1, (language, role, said)
            assert said.strip().splitlines() == [said.strip()], (language, role, said)  # one line, no trace
            assert f" [!] Cannot connect to RabbitMQ at {where}: " in said, (language, role, said)
            assert re.search(reason, said), (language, role, said)


@pytest.mark.parametrize("role", ["send_jobs", "job_worker", "send_task"])
def test_python_roles_with_a_stopped_broker_or_a_wrong_password(role):
    stopped = "amqp://course:course@127.0.0.1:1/%2F"
    wrong = _with_password(os.environ["AMQP_URL"], "not-the-password")
    for url, harness_says, pika_raises in (
            (stopped, "RabbitMQ is not usable at amqp://course:***@127.0.0.1:1/%2F: connection refused",
             "pika.exceptions.AMQPConnectionError"),
            (wrong, "refused the credentials (wrong user or password)",
             "pika.exceptions.ProbableAuthenticationError")):
        # Through the harness (make lesson-23 ROLE=...): the course's one-sentence answer.
        result = run_lesson(23, role=role, timeout=30, env={"AMQP_URL": url})
        assert result.returncode == 1 and harness_says in result.stdout, result.stdout
        assert "Traceback" not in result.stdout
        # Copied into a project and run on its own, the role shows pika's own exception, as the
        # learner's program would (the role file holds no plumbing); it does not hang.
        alone = subprocess.run([sys.executable, "-m", f"{demo.LESSON}.{role}"], capture_output=True, text=True,
                               timeout=30, cwd=ROOT, env={**os.environ, "AMQP_URL": url})
        assert alone.returncode == 1 and pika_raises in alone.stderr, alone.stderr


@pytest.mark.either_broker
def test_ctrl_c_stops_the_demo_and_every_language_it_started():
    started = start_lesson(23)
    read_until(started, "worker-py |  [*] Waiting for jobs", timeout=120)
    started.send_signal(signal.SIGINT)
    out, _ = started.communicate(timeout=60)
    assert started.returncode == 130, out
    assert "Interrupted. Stopping everything this demo started" in out
    assert "Traceback" not in out
    assert lesson_processes("lesson23") == []
    build_folder = re.search(r"into (\S+) \.\.\.", out)
    if build_folder:
        assert not os.path.exists(build_folder.group(1))
    broker.delete_queues(JOBS, DEAD_LETTERS)


@pytest.mark.either_broker
def test_with_python_alone_the_demo_still_tells_the_story_and_names_each_missing_toolchain(tmp_path):
    # Most learners have none of the other languages: a PATH with nothing but sh hides them all.
    (tmp_path / "sh").symlink_to("/bin/sh")
    out = assert_clean_run(run_lesson(23, timeout=180, env={"PATH": str(tmp_path)}))
    chains = demo.toolchains()
    for language in set(ALL) - {"python"}:
        hint = (f"({demo.LANGUAGES[language]} is not installed here, so its part is skipped. It takes: "
                f"sudo apt-get install {chains[language][1]}   (or 'make languages' for every language))")
        assert hint in out, language
    assert "Compiling" not in out
    assert "all 3 jobs from 1 language were done, each exactly once" in out
    assert ("[ok] the Python worker dead-lettered the 4 bad messages with the agreed reasons, did the good job "
            "and still runs") in out
    assert "[ok] the 2 slow jobs were done once each, all by the workers still alive; worker-py finished none" in out
    assert "[ok] every sender (Python) read the broker's answer to its publish: a nack" in out
    assert "every task ran on the Redis worker (no Java here for the rpc:// route)" in out
    assert "every language got its sum back: Python 9" in out
    assert "Python got FAILURE NotRegistered back" in out
    assert lesson_processes("lesson23") == []


@pytest.mark.either_broker
def test_a_missing_language_is_one_line_with_the_apt_get_command():
    chains = demo.toolchains()
    assert set(chains) == set(ALL) - {"python"}
    _, hints = demo.languages_here({"php": ("false", chains["php"][1])})
    assert hints == ["(PHP is not installed here, so its part is skipped. It takes: sudo apt-get install "
                     "php-cli php-amqplib php-redis   (or 'make languages' for every language))"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(LESSON23)/toolchains.txt" in makefile  # `make languages` installs from the same list


def test_every_program_uses_the_course_defaults():
    amqp_default = settings.VARIABLES["AMQP_URL"][0]
    redis_default = settings.VARIABLES["REDIS_URL"][0]
    programs = [path for path in FOLDER.rglob("*") if path.suffix in {".py", ".php", ".rb", ".java", ".go", ".js"}
                and "node_modules" not in path.parts and path.name not in {"demo.py", "__init__.py", "worker.py"}]
    assert len(programs) >= 15
    for path in programs:
        text = path.read_text(encoding="utf-8")
        assert "lessons" not in re.findall(r"^(?:from|import) (\w+)", text, re.M), path
        assert amqp_default in text, path
        if "send_task" in path.name or path.name in {"tasks.py", "SendTask.java"} or path.parent.name == "send_task":
            assert (redis_default in text) == (path.name != "SendTask.java"), path  # Java reads no Redis


def test_readme_snippets_are_excerpts_of_the_files_and_docker_lines_install_the_same_packages():
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    sources = {path: path.read_text(encoding="utf-8").splitlines() for path in FOLDER.rglob("*")
               if path.suffix in {".php", ".rb", ".java", ".go", ".js"} and "node_modules" not in path.parts}
    blocks = re.findall(r"```(php|ruby|java|go|javascript)\n(.*?)```", readme, flags=re.S)
    assert {language for language, _ in blocks} == {"php", "ruby", "java", "go", "javascript"}
    for _, block in blocks:  # contiguous lines of one file, indentation included
        lines = block.rstrip("\n").splitlines()
        assert any(lines == text[i:i + len(lines)] for text in sources.values() for i in range(len(text))), block
    chains = demo.toolchains()
    docker = re.findall(r"apt-get install -y -qq ([a-z0-9 .-]+?) >/dev/null && (\w+)", readme)
    commands = {"php": "php", "ruby": "ruby", "java": "java", "go": "GO111MODULE"}
    assert {command for _, command in docker} == set(commands.values())
    for packages, command in docker:
        [language] = [name for name, run in commands.items() if run == command]
        assert packages == chains[language][1], (language, packages)


def _debian_version(package: str) -> str:
    """The upstream part of an installed Debian package's version: '1:1.8.3-1' -> '1.8.3'."""
    found = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True)
    assert found.returncode == 0, f"{package} is not installed"
    return re.sub(r"^\d+:|-[^-]+$", "", found.stdout).split("+")[0]


def test_the_manifests_name_the_versions_that_run_here(tmp_path):
    """composer.json, Gemfile, go.mod and pom.xml accept exactly what Debian ships and the course
    runs (as the lowest version); go.mod resolves in module mode, the Gemfile with bundler;
    node/package.json names files that exist. Versions are read from dpkg, not written here."""
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    if present("php"):
        composer = json.loads((FOLDER / "php" / "composer.json").read_text(encoding="utf-8"))["require"]
        assert composer["php-amqplib/php-amqplib"] == "^" + _debian_version("php-amqplib")
        assert composer["ext-redis"] == "^" + _debian_version("php-redis")
        php = subprocess.run(["php", "-r", "echo PHP_MAJOR_VERSION, '.', PHP_MINOR_VERSION;"],
                             capture_output=True, text=True).stdout
        assert composer["php"] == f"^{php}"
        assert "composer install" in readme
    if present("ruby"):
        gemfile = (FOLDER / "ruby" / "Gemfile").read_text(encoding="utf-8")
        for gem, package in (("bunny", "ruby-bunny"), ("redis", "ruby-redis")):
            wanted = re.search(rf'^gem "{gem}", "~> ([\d.]+)"$', gemfile, re.M)[1]
            assert _debian_version(package).startswith(wanted + "."), (gem, wanted)
        # Bundler (Ruby's own) resolves the Gemfile against the installed gems, with no network.
        (tmp_path / "Gemfile").write_text(gemfile, encoding="utf-8")
        resolved = subprocess.run(["ruby", "-e", 'require "bundler/setup"; require "bunny"; require "redis"; '
                                   'puts "#{Bunny::VERSION} #{Redis::VERSION}"'], capture_output=True, text=True,
                                  timeout=60, cwd=tmp_path, env={**os.environ, "BUNDLE_GEMFILE": str(tmp_path / "Gemfile")})
        assert resolved.stdout.split() == [_debian_version("ruby-bunny"), _debian_version("ruby-redis")], resolved
        assert "bundle exec ruby" in readme
    if present("go"):
        gomod = (FOLDER / "go" / "go.mod").read_text(encoding="utf-8")
        go_version = re.search(r"^go (\S+)$", gomod, re.M)[1]
        assert _debian_version("golang-go").startswith(go_version), go_version
        modules = {"github.com/rabbitmq/amqp091-go": ("golang-github-rabbitmq-amqp091-go-dev", "."),
                   "github.com/gomodule/redigo": ("golang-github-gomodule-redigo-dev", "redis")}
        # Module mode, offline: Debian's sources as the vendor folder, listed at go.mod's versions.
        build = tmp_path / "go"
        shutil.copytree(FOLDER / "go", build)
        listing, packages = [], []
        for module, (package, used) in modules.items():
            version = re.search(rf"^\t{re.escape(module)} v(\S+)$", gomod, re.M)[1]
            assert version == _debian_version(package), module
            source = Path("/usr/share/gocode/src") / module
            shutil.copytree(source, build / "vendor" / module)
            go_line = re.search(r"^go (\S+)$", (source / "go.mod").read_text(encoding="utf-8"), re.M)[1]
            packages.append(f"{module}/{used}".rstrip("/."))
            listing += [f"# {module} v{version}", f"## explicit; go {go_line}", packages[-1]]
        (build / "vendor" / "modules.txt").write_text("\n".join(listing) + "\n", encoding="utf-8")
        # go list resolves every import in module mode and refuses a vendor folder that disagrees with
        # go.mod ("inconsistent vendoring"); the demo compiles the same files (GOPATH mode) anyway.
        listed = subprocess.run(["go", "list", "-deps", "./..."], capture_output=True, text=True, timeout=120,
                                cwd=build, env={**os.environ, "GO111MODULE": "on", "GOFLAGS": "-mod=vendor",
                                                "GOPROXY": "off"})
        assert listed.returncode == 0, listed.stderr
        assert set(packages) <= set(listed.stdout.split()), listed.stdout
        assert "go mod tidy" in readme
    if present("java"):
        pom = (FOLDER / "java" / "pom.xml").read_text(encoding="utf-8")
        for artifact, package in (("amqp-client", "librabbitmq-client-java"), ("gson", "libgoogle-gson-java"),
                                  ("slf4j-nop", "libslf4j-java")):
            version = re.search(rf"<artifactId>{artifact}</artifactId>\s*<version>([^<]+)</version>", pom)[1]
            assert version == _debian_version(package), artifact
        assert "mvn -q compile exec:java" in readme
    package = json.loads((FOLDER / "node" / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((FOLDER / "node" / "package-lock.json").read_text(encoding="utf-8"))
    assert (FOLDER / "node" / package["main"]).is_file()
    for script in package["scripts"].values():
        assert (FOLDER / "node" / script.split()[1]).is_file(), script
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    assert "npm run send_task" in readme
