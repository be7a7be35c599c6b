"""A lesson copied out of the repository runs on its own, as a learner's project would.

Lessons 1, 2 and 7 are copied into an empty folder outside the repository with a fresh virtual
environment holding only pika; lesson 12 likewise with only celery[redis]. The roles run as a
learner types them there (`python send.py`, `celery -A tasks worker`), pointed at this test
session's vhost and Redis database through AMQP_URL and REDIS_URL, and the messages arrive.

The environments are made with `python -m venv --without-pip`, and the course's own pip installs
into them (`pip --python`): pip's cache makes that a matter of seconds after the first run.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from helpers import read_until

from lessons import broker, catalog
from lessons.broker import celery_env

# The copies run the lessons' own code, which their tests run on both brokers: what this module
# proves (a copied folder needs only its library) does not depend on the broker.
pytestmark = [pytest.mark.broker, pytest.mark.either_broker]


def make_venv(folder, *requirements) -> str:
    """A fresh virtual environment in `folder` with only `requirements` installed; its python."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = str(folder / "bin" / "python")
    subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
                    "--disable-pip-version-check", *requirements],
                   check=True, timeout=600, capture_output=True, text=True)
    print(f"venv with {' '.join(requirements)}: {time.monotonic() - started:.1f} s")
    return python


def copy_lesson(number: int, project) -> object:
    """Lesson N's folder copied into `project` (no demo: it belongs to the course's harness)."""
    lesson = catalog.get(number)
    target = project / lesson.folder.name
    shutil.copytree(lesson.folder, target,
                    ignore=shutil.ignore_patterns("demo.py", "__init__.py", "README.md", "__pycache__"))
    return target


def learner_env(venv_python: str, **extra: str) -> dict:
    """What a learner's shell has: the venv first on PATH, the session's addresses, nothing of
    the repository (no PYTHONPATH)."""
    bin_folder = os.path.dirname(venv_python)
    return {"PATH": f"{bin_folder}:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", "AMQP_URL": os.environ["AMQP_URL"],
            "REDIS_URL": os.environ["REDIS_URL"], **extra}


def run(argv, cwd, env, timeout=30) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)


def start(argv, cwd, env) -> subprocess.Popen:
    return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def stop(process: subprocess.Popen, sig=signal.SIGINT) -> str:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("learner-project")
    assert not str(folder).startswith(str(catalog.ROOT)), "outside the repository"
    return folder


def test_pika_lessons_1_2_and_7_run_copied_out_with_only_pika(project):
    started = time.monotonic()
    python = make_venv(project / "venv-pika", "pika>=1.3,<2")
    env = learner_env(python)
    alone = run([python, "-c", "import pika\ntry:\n import celery\nexcept ImportError: print('only pika')"],
                project, env)
    assert alone.stdout.strip() == "only pika", alone.stdout
    hello, work, rpc = (copy_lesson(n, project) for n in (1, 2, 7))
    try:
        # Lesson 1: a receiver waits, a sender sends, the receiver gets it and stops.
        receiver = start([python, "receive.py", "--max-messages", "1"], hello, env)
        read_until(receiver, "Waiting for messages", timeout=20)
        sent = run([python, "send.py", "Hello from a copy!"], hello, env)
        assert sent.returncode == 0 and "[x] Sent 'Hello from a copy!'" in sent.stdout, sent.stdout
        out, _ = receiver.communicate(timeout=20)
        assert receiver.returncode == 0 and "[x] Received 'Hello from a copy!'" in out, out

        # Lesson 2: a task sent before any worker runs is done by the worker started after.
        sent = run([python, "new_task.py", "copied task."], work, env)
        assert sent.returncode == 0, sent.stdout
        worked = run([python, "worker.py", "--max-messages", "1", "--seconds-per-dot", "0"], work, env)
        assert worked.returncode == 0 and "[x] Done 'copied task.'" in worked.stdout, worked.stdout

        # Lesson 7: a server answers a client's call.
        server = start([python, "rpc_server.py"], rpc, env)
        try:
            read_until(server, "Awaiting RPC requests", timeout=20)
            called = run([python, "rpc_client.py", "10"], rpc, env)
            assert called.returncode == 0 and "[.] Got 55" in called.stdout, called.stdout
        finally:
            served = stop(server)
        assert "[.] fib(10)" in served
    finally:
        broker.delete_queues("hello", "task_queue", "rpc_queue")
    print(f"copied pika lessons: {time.monotonic() - started:.1f} s in all")


def test_celery_lesson_12_runs_copied_out_with_only_celery(project):
    started = time.monotonic()
    python = make_venv(project / "venv-celery", "celery[redis]>=5.6,<5.8")
    env = learner_env(python, **celery_env())
    alone = run([python, "-c", "import celery, redis\ntry:\n import pika\nexcept ImportError: print('no pika')"],
                project, env)
    assert alone.stdout.strip() == "no pika", alone.stdout
    first_app = copy_lesson(12, project)
    celery = os.path.join(os.path.dirname(python), "celery")
    worker = start([celery, "-A", "tasks", "worker", "--loglevel", "INFO", "--concurrency", "1",
                    "--without-mingle", "--without-gossip"], first_app, env)
    try:
        read_until(worker, " ready.", timeout=60)
        called = run([python, "client.py", "2", "3"], first_app, env)
        assert called.returncode == 0 and "[.] Got 5 after" in called.stdout, called.stdout
    finally:
        logged = stop(worker, signal.SIGTERM)  # Celery's warm shutdown
        broker.delete_queues("celery")
        broker.delete_exchanges("celery")
    assert "Task tasks.add[" in logged and "succeeded" in logged, logged
    print(f"copied celery lesson: {time.monotonic() - started:.1f} s in all")


def test_part_3_lessons_26_and_27_run_copied_out(project):
    """Lesson 26's length limit against the shared broker, and lesson 27's certificates and its
    rule that a URL holding a password has no default: one sentence, from the copies."""
    started = time.monotonic()
    python = make_venv(project / "venv-part3", "pika>=1.3,<2", "celery[redis]>=5.6,<5.8", "trustme>=1.1,<2",
                       "requests>=2.32,<3")
    env = learner_env(python)
    pressure, security = copy_lesson(26, project), copy_lesson(27, project)
    try:
        limited = run([python, "max_length.py", "--overflow", "reject-publish"], pressure, env)
        assert limited.returncode == 0, limited.stdout
        assert limited.stdout.count("NACKED, the queue is full") == 2, limited.stdout
        assert "In the queue: msg-1, msg-2, msg-3" in limited.stdout
        imported = run([python, "-c", "from tasks import app, slow_report; print(app.main, slow_report.name)"],
                       pressure, env)
        assert imported.stdout.split() == ["lesson26", "tasks.slow_report"], imported.stdout
    finally:
        broker.delete_queues("pressure.limited.reject-publish", "pressure.dead-letters")
        broker.delete_exchanges("pressure.dead-letters")

    made = run([python, "certificates.py", "--out", "certs"], security, env)
    assert made.returncode == 0, made.stdout
    assert {p.name for p in (security / "certs").iterdir()} == {"ca.pem", "server.pem", "server.key",
                                                                "orders-app.pem", "orders-app.key",
                                                                "reports-app.pem", "reports-app.key"}
    celery = os.path.join(os.path.dirname(python), "celery")
    for argv in ([python, "tls_check.py"], [python, "client.py"], [celery, "-A", "tasks", "worker"]):
        refused = run(argv, security, env)  # no AMQPS_URL in the learner's environment
        assert refused.returncode == 1, refused.stdout
        assert refused.stdout.strip() == ("Set AMQPS_URL (it holds a user and password, so it has no "
                                          "default in the code)."), refused.stdout
    print(f"copied part 3 lessons: {time.monotonic() - started:.1f} s in all")


def test_lesson_30_redis_worker_runs_copied_out(project):
    """Lesson 30's Redis side from the copy, with only celery[redis]: a worker of redis_tasks.py
    (Redis as the broker) runs a reminder that send.py sent for in 1 s."""
    started = time.monotonic()
    python = make_venv(project / "venv-lesson30", "celery[redis]>=5.6,<5.8")
    queue = "lesson30_copied"
    env = learner_env(python, REDIS_QUEUE=queue, **celery_env())
    delayed = copy_lesson(30, project)
    celery = os.path.join(os.path.dirname(python), "celery")
    worker = start([celery, "-A", "redis_tasks", "worker", "--pool", "threads", "--concurrency", "1",
                    "--without-mingle", "--without-gossip", "--loglevel", "INFO"], delayed, env)
    try:
        read_until(worker, "ready.", timeout=60)
        sent = run([python, "send.py", "--app", "redis_tasks", "--countdown", "1", "--name", "copied"], delayed, env)
        assert sent.returncode == 0 and "for in 1 s" in sent.stdout, sent.stdout
        read_until(worker, "Reminder: copied-1", timeout=30)
    finally:
        logged = stop(worker, signal.SIGTERM)  # Celery's warm shutdown
        import redis

        client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5)
        client.delete(queue, *client.scan_iter(f"_kombu.binding*{queue}*"))
    assert "Traceback" not in logged, logged
    print(f"copied lesson 30: {time.monotonic() - started:.1f} s in all")
