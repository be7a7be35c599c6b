"""How a checker runs a learner's file and judges it: a `Check` is a demo's `Story` whose facts
are the learner's.

    def check(ck):
        sender = ck.run_file("send.py", "one", "two")
        ck.require(sender.returncode == 0, "send.py ran and exited", ck.diagnose(sender))
        ck.expect(depth == 2, "the queue holds both messages", f"the queue holds {depth} messages")

Every fact prints an `[ok]` or `[no]` line; `require` ends the check when a fact the rest builds on
does not hold. The learner's programs run as child processes in the exercise's folder (as the
learner runs them there: `python worker.py`, `celery -A tasks worker`) with the course's
addresses in their environment; the Story machinery stops every one of them at the end (the whole
process group), also on Ctrl+C or when the deadline passes. What the exercise declared on the
broker (every queue and exchange whose name starts with the exercise's prefix, e.g. `exercise02`)
is deleted before the check and again after it, and so are the Redis keys it made.
"""

from __future__ import annotations

import json
import re
import signal
import sys
import time
from pathlib import Path

from lessons import errors, settings
from lessons.console import emit
from lessons.processes import Process
from lessons.story import Story
from lessons.waiting import ReadinessTimeout, wait_until


class CheckStopped(Exception):
    """A fact the rest of the check builds on did not hold (it is already printed)."""


class CheckTimedOut(BaseException):
    """The exercise's deadline passed."""


# No start-up chatter between workers. Heartbeats stay on: without them a worker's warm
# shutdown waits several seconds in a blocking read.
CELERY_QUIET = ("--without-mingle", "--without-gossip")
STOP_GRACE = 4.0  # seconds a program gets to stop after SIGTERM at the end of a check


class Check(Story):
    """One exercise's check: the learner's processes, the facts, and the clean-up."""

    def __init__(self, exercise, folder: Path):
        super().__init__(f"Exercise {exercise.key}: {exercise.title}", argv=[])
        self.exercise = exercise
        self.folder = Path(folder)
        self.prefix = exercise.prefix
        self.task_ids: list[str] = []  # Celery results to remove from Redis at the end
        self.interrupted = False
        self.timed_out = False
        self._apps: list = []

    # -- facts --------------------------------------------------------------------------------------
    def expect(self, condition, ok: str, no: str | None = None) -> bool:
        """Record a fact: `ok` is printed when it holds, `no` (what is wrong, and what to do) when not."""
        holds = bool(condition)
        text = ok if holds else (no or f"it is not so that {ok}")
        self.facts.append((holds, text))
        emit(f"  [{'ok' if holds else 'no'}] {text}")
        return holds

    def check(self, condition, fact: str) -> bool:  # the Story name, for code written as a demo
        return self.expect(condition, fact)

    def require(self, condition, ok: str, no: str | None = None) -> None:
        """As expect(), and end the check when the fact does not hold."""
        if not self.expect(condition, ok, no):
            raise CheckStopped

    def stop(self, no: str):
        """Record what is wrong and end the check."""
        self.require(False, "", no)

    @property
    def passed(self) -> bool:
        return bool(self.facts) and all(holds for holds, _ in self.facts) and not (
            self.interrupted or self.timed_out)

    def _summary(self) -> None:
        elapsed = time.monotonic() - self.started
        failed = [fact for holds, fact in self.facts if not holds]
        key = self.exercise.key
        if self.interrupted:
            emit(f"\nInterrupted: the check of exercise {key} stopped everything it had started.")
            self.exit_code = 130
        elif not self.facts:
            emit(f"\nThe checker of exercise {key} checked nothing, which is a defect in the course. ({elapsed:.1f} s)")
            self.exit_code = 1
        elif failed:
            emit(f"\nNot yet: {len(failed)} of {len(self.facts)} checks did not hold ({elapsed:.1f} s). "
                 f"Read the [no] lines above, change {self.exercise.files_text} and run "
                 f"'make exercise-{self.exercise.lesson.number}' again; "
                 f"'make hint-{self.exercise.lesson.number}' gives a hint.")
            self.exit_code = 1
        else:
            emit(f"\nDone: all {len(self.facts)} checks hold ({elapsed:.1f} s). Exercise {key} is solved.")

    # -- processes ----------------------------------------------------------------------------------
    # At the end of a check nothing of the learner's programs is needed any more: every one is
    # asked to stop at once (Story.stop_all), and gets a few seconds before the kill.
    stop_grace = STOP_GRACE

    def start_file(self, filename: str, *args: str, name: str | None = None, env: dict | None = None,
                   echo: bool = True, program: tuple[str, ...] | None = None) -> Process:
        """Start the learner's `python FILE ARGS` (or `program FILE ARGS`) in the exercise folder.

        A Python file runs through lessons.exercises.learner: as `python FILE` would, but a crash
        is reported as the learner's own line and the exception, not a library's traceback."""
        python = (sys.executable, "-m", "lessons.exercises.learner")
        argv = [*(program or python), filename, *map(str, args)]
        process = self.start_command(name or filename, argv, env=env, stop_signal=signal.SIGTERM, echo=echo)
        process.file = filename  # what diagnose() calls it
        process.label = filename if process.name == filename else f"{filename} ({process.name})"
        return process

    def run_file(self, filename: str, *args: str, timeout: float = 15.0, name: str | None = None,
                 env: dict | None = None, echo: bool = True, program: tuple[str, ...] | None = None,
                 exits: str = "do its job and exit") -> Process:
        """Run the learner's file to its end. Still running after `timeout` s: stopped, and the check
        ends with a sentence saying so."""
        process = self.start_file(filename, *args, name=name, env=env, echo=echo, program=program)
        try:
            process.wait(timeout=timeout)
        except ReadinessTimeout:
            process.stop(grace=1.0)
            self.stop(f"{_label(process)} was still running after {timeout:g} s, so the checker stopped it. "
                      f"It should {exits}: is it waiting for something (a reply, a message, input) "
                      "or looping forever?")
        return process

    def wait_for_line(self, process: Process, pattern: str, timeout: float, what: str) -> re.Match:
        """Wait for `pattern` in the process's output; a sentence and the end of the check if not."""
        try:
            return process.wait_for(pattern, timeout=timeout)
        except ReadinessTimeout:
            if not process.running:
                self.stop(f"{_label(process)} stopped before it could {what}. {self.diagnose(process)}")
            self.stop(f"{_label(process)} did not {what} within {timeout:g} s.")

    def lines_soon(self, process: Process, pattern: str, count: int = 1, timeout: float = 3.0) -> list[re.Match]:
        """The process's lines matching `pattern`, once there are `count` of them or `timeout` s
        have passed: its output is read by a thread and may lag behind what the broker shows."""
        try:
            wait_until(lambda: len(process.matches(pattern)) >= count, timeout=timeout, interval=0.05)
        except ReadinessTimeout:
            pass
        return process.matches(pattern)

    def wait_for_consumer(self, process: Process, queue: str, timeout: float = 15.0) -> None:
        """Wait until the broker shows a consumer on `queue` (the learner's program is listening)."""
        from lessons import broker

        def consuming():
            if not process.running:
                time.sleep(0.2)  # let the reader thread collect its last lines
                self.stop(f"{_label(process)} stopped before it consumed from '{queue}'. {self.diagnose(process)}")
            try:
                with broker.channel() as channel:
                    return channel.queue_declare(queue, passive=True).method.consumer_count > 0
            except Exception:  # the queue does not exist yet
                return False

        try:
            wait_until(consuming, timeout=timeout, interval=0.1)
        except ReadinessTimeout:
            self.stop(f"After {timeout:g} s the broker still shows no consumer on the queue '{queue}': "
                      f"{_label(process)} does not consume from it (check the queue's name and "
                      "basic_consume / start_consuming).")

    def start_worker(self, *args: str, app: str = "tasks", name: str = "worker", queues: str | None = None,
                     concurrency: int | None = 1, timeout: float = 40.0, env: dict | None = None,
                     echo: bool = False, wait: bool = True) -> Process:
        """Start `celery -A app worker` in the exercise folder, as the learner would, and wait until
        it is ready. Its output is recorded (shown when it fails) but not echoed: it is long.

        The prefork pool (Celery's default): it also stops within a second or two on SIGTERM,
        where the solo pool without heartbeats sits in a blocking read for ten."""
        options = [*(("--concurrency", str(concurrency)) if concurrency else ()), *CELERY_QUIET,
                   *(("--queues", queues) if queues else ()), *map(str, args)]
        process = super().start_worker(name, app, *options, hostname=f"{self.prefix}-{name}", ready=None,
                                       env=env, echo=echo)
        process.file = process.label = "the worker" if name == "worker" else f"the {name} worker"
        if wait:  # else: start several, then wait_until_ready() each
            self.wait_until_ready(process, timeout)
        return process

    def wait_until_ready(self, worker: Process, timeout: float = 40.0) -> None:
        """Wait for the worker's 'ready.' line. A worker that keeps retrying an unreachable broker,
        or that stops, ends the check with a sentence instead of a long wait."""
        def ready():
            if worker.matches(r"\bready\."):
                return True
            if not worker.running:
                time.sleep(0.2)  # its last lines
                self.stop(f"{_label(worker)} stopped before it was ready. {self.diagnose(worker)}")
            refused = worker.matches(r"Cannot connect to (\S+?):? (.*?)(\.\s*Trying again|$)")
            if len(refused) >= 2:
                where, why = refused[-1].group(1), refused[-1].group(2).rstrip(".")
                self.stop(f"{_label(worker)} cannot connect to the broker at {where} ({why}) and keeps "
                          "trying. Does the app take its broker from AMQP_URL? The checker gave it "
                          f"{settings.redact(settings.AMQP_URL)}.")
            return False

        try:
            wait_until(ready, timeout=timeout, interval=0.1)
        except ReadinessTimeout:
            self.stop(f"{_label(worker)} did not say it was ready within {timeout:g} s.")

    def start_program(self, name: str, argv: list[str], *, env: dict | None = None, echo: bool = False,
                      stop_signal: int = signal.SIGTERM) -> Process:
        """Start a helper program (Flower, a Django server ...) in the exercise folder."""
        return self.start_command(name, argv, env=env, stop_signal=stop_signal, echo=echo)

    # -- what went wrong, in a sentence -------------------------------------------------------------
    def diagnose(self, process: Process) -> str:
        """What the learner's program's output says went wrong, in a sentence or two."""
        out = process.output
        name = getattr(process, "file", process.name)
        code = process.returncode
        lines = [line for line in out.splitlines() if line.strip()]
        where = _learner_line(out)
        last = _exception_line(lines)
        if last and re.match(r"(SyntaxError|IndentationError|TabError)\b", last):
            message = last.split(":", 1)[-1].strip()
            file, line = _learner_frame(out) or (name, "?")
            return f"{file} has a syntax error at line {line}: {message}. Python could not even start it."
        if missing := re.search(r"ModuleNotFoundError: No module named '([^']+)'", out):
            return (f"{name} imports '{missing.group(1)}', which Python cannot find{where}: is the name "
                    "spelt right, and does the file run from its own folder?")
        if precondition := re.search(r"PRECONDITION_FAILED - (.*?)(['\"]\)|$)", out, flags=re.M):
            detail = precondition.group(1)
            thing = re.search(r"for (queue|exchange) '([^']*)'", detail)
            what = f"the {thing.group(1)} '{thing.group(2)}'" if thing else "a queue or exchange"
            return (f"{name} declared {what} with other arguments than the broker already has "
                    f"({detail}){where}. Declare it exactly as the exercise says.")
        if re.search(r"ACCESS_REFUSED|ProbableAuthenticationError|AuthenticationError", out):
            return (f"RabbitMQ refused the login of {name}{where}. Does it take the broker's address "
                    f"from AMQP_URL? The checker gave it {settings.redact(settings.AMQP_URL)}.")
        if re.search(r"AMQPConnectionError|ConnectionRefusedError|Connection refused|ECONNREFUSED", out):
            return (f"{name} could not connect to RabbitMQ (connection refused){where}. Does it take "
                    "the broker's address from the AMQP_URL environment variable? The checker gave "
                    f"it {settings.redact(settings.AMQP_URL)}.")
        if not_found := re.search(r"NOT_FOUND - ([^'\"\)]*)", out):
            return (f"The broker answered NOT_FOUND to {name}: {not_found.group(1).strip()}{where}. "
                    "Something it uses was not declared.")
        if last:
            return f"{name} stopped with {last}{where}."
        if code not in (None, 0):
            tail = "; ".join(lines[-3:]) or "no output"
            return f"{name} exited with code {code} ({tail})."
        return f"{name} did not say why (exit code {code})."

    # -- the broker and Redis, from outside ---------------------------------------------------------
    def queue_depth(self, queue: str) -> int | None:
        """Messages ready in the queue now (a passive declare: no management API lag); None if none."""
        from lessons import broker

        return broker.queue_depth(queue)

    def queue_state(self, queue: str) -> tuple[int, int] | None:
        """(messages ready, consumers) of the queue now, or None when it does not exist."""
        from lessons import broker

        try:
            with broker.channel() as channel:
                method = channel.queue_declare(queue, passive=True).method
                return method.message_count, method.consumer_count
        except Exception:
            return None

    def drain(self, queue: str, limit: int = 1000) -> list[tuple[object, object, bytes]]:
        """Take every message of the queue (method, properties, body), acknowledging each."""
        from lessons import broker

        got = []
        with broker.channel() as channel:
            while len(got) < limit:
                method, properties, body = channel.basic_get(queue, auto_ack=True)
                if method is None:
                    break
                got.append((method, properties, body))
        return got

    def celery_client(self, **conf):
        """A Celery app of the checker's own (not the learner's code): it sends tasks by name and
        reads their results. Closed at the end of the check."""
        from celery import Celery

        app = Celery(f"{self.prefix}-checker", broker=settings.AMQP_URL, backend=settings.REDIS_URL)
        app.conf.update(broker_connection_retry_on_startup=False, broker_connection_timeout=5,
                        task_publish_retry_policy={"max_retries": 2, "interval_start": 0,
                                                   "interval_step": 0.5, "interval_max": 1},
                        **conf)
        self._apps.append(app)
        return app

    def send_task(self, app, name: str, *args, queue: str, **kwargs) -> str:
        result = app.send_task(name, args=list(args), kwargs=kwargs, queue=queue)
        self.task_ids.append(result.id)
        return result.id

    def redis(self):
        import redis

        return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, decode_responses=True)

    def task_meta(self, task_id: str) -> dict | None:
        """The result document the worker stored in Redis (celery-task-meta-<id>), or None."""
        stored = self.redis().get(f"celery-task-meta-{task_id}")
        return json.loads(stored) if stored else None

    def wait_for_result(self, task_id: str, timeout: float = 15.0, states=("SUCCESS", "FAILURE"),
                        give_up=None) -> dict | None:
        """The task's result document once its state is one of `states`; whatever there is (or
        None) when the deadline passes or `give_up()` says no result will come."""
        def settled():
            meta = self.task_meta(task_id)
            return (meta and meta.get("status") in states) or (give_up is not None and give_up())

        try:
            wait_until(settled, timeout=timeout, interval=0.05)
        except ReadinessTimeout:
            pass
        return self.task_meta(task_id)

    # -- clean slate before and after ---------------------------------------------------------------
    def clean_broker(self) -> list[str]:
        """Delete every queue and exchange of this exercise (by its name's prefix); return their names."""
        from lessons.management import Management

        management = Management()
        mine = re.compile(rf"^{re.escape(self.prefix)}(\D|$)")
        removed = []
        for queue in management.get("queues", management.vhost, columns="name"):
            if mine.match(queue["name"]):
                management.delete_queue(queue["name"])
                removed.append(queue["name"])
        for exchange in management.get("exchanges", management.vhost, columns="name"):
            if mine.match(exchange["name"]):
                management.delete_exchange(exchange["name"])
                removed.append(exchange["name"])
        return removed

    def clean_redis(self) -> None:
        client = self.redis()
        keys = [f"celery-task-meta-{task_id}" for task_id in self.task_ids]
        keys += list(client.scan_iter(f"*{self.prefix}*", count=1000))  # kombu's _kombu.binding.* too
        if keys:
            client.delete(*keys)

    def close(self) -> None:
        for app in self._apps:
            try:
                app.close()
            except Exception:
                pass


def _label(process: Process) -> str:
    """How sentences name a process: 'worker.py (worker-1)', 'the worker', or its name."""
    return getattr(process, "label", process.name)


def _exception_line(lines: list[str]) -> str | None:
    """The last 'SomeError: message' line of a traceback in the output, if there is one."""
    for line in reversed(lines):
        match = re.match(r"^([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Closed\w*|Refused\w*|Failed\w*))(:.*)?$",
                         line.strip())
        if match:
            return line.strip()
    return None


def _learner_frame(out: str) -> tuple[str, str] | None:
    """(file name, line) of the deepest traceback frame outside Python and its libraries."""
    frames = re.findall(r'File "([^"]+)", line (\d+)', out)
    own = [(path, line) for path, line in frames if "site-packages" not in path and "/lib/python" not in path
           and "<frozen" not in path]
    return (Path(own[-1][0]).name, own[-1][1]) if own else None


def _learner_line(out: str) -> str:
    """' at line 12 of worker.py', or ''."""
    frame = _learner_frame(out)
    return f" at line {frame[1]} of {frame[0]}" if frame else ""


def describe_error(exc: BaseException) -> str:
    return errors.explain(exc) or f"{type(exc).__name__}: {exc}"
