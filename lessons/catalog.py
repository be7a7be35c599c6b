"""The one registry of lessons. The CLI, the Makefile, the README's course map and the tests read it.

To add a lesson: create its package (README.md, one module per role, demo.py), add a `Lesson`
here in number order, add tests/test_lessonNN_*.py, and run `python -m lessons course-map --write`
to refresh the README's table. tests/test_catalog.py checks that all of these agree.

A role is either a module of the lesson's package, named as its file ("send" for send.py), or a
command a learner types in the lesson's folder, written "name: command line", e.g.
"worker: celery -A tasks worker --loglevel INFO". `make lesson-N ROLE=name` runs either kind in
the lesson's folder through the launcher (lessons/launch.py); ARGS are added at the end.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RABBITMQ, MANAGEMENT, REDIS, FLOWER = "rabbitmq", "management", "redis", "flower"

# The worker of a lesson whose Celery app is `app` in tasks.py, as a learner starts it.
WORKER = "worker: celery -A tasks worker --loglevel INFO"


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    title: str
    package: str  # dotted, e.g. "rabbitmq_basics.lesson01_hello_world"
    services: tuple[str, ...]
    roles: tuple[str, ...]  # "send" (the module send.py) or "worker: celery -A tasks worker ..."
    summary: str  # what you learn, one line

    @property
    def folder(self) -> Path:
        return ROOT.joinpath(*self.package.split("."))

    @property
    def part(self) -> str:
        return self.package.split(".")[0]

    @property
    def heading(self) -> str:
        """The demo's banner and the README's first line: "Lesson 1: Hello world"."""
        return f"Lesson {self.number}: {self.title}"

    @property
    def role_names(self) -> tuple[str, ...]:
        return tuple(role.partition(":")[0].strip() for role in self.roles)

    @property
    def role_modules(self) -> tuple[str, ...]:
        """The names of the roles that are modules of the package (not commands)."""
        return tuple(role for role in self.roles if ":" not in role)

    def command(self, role: str) -> list[str] | None:
        """A command role's command line, split into words; None for a module role."""
        for entry in self.roles:
            name, colon, command = entry.partition(":")
            if colon and name.strip() == role:
                return shlex.split(command)
        return None

    def role_module(self, role: str) -> str:
        return f"{self.package}.{role}"

    @property
    def demo_module(self) -> str:
        return f"{self.package}.demo"


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        0, "install", "Install and check the stack",
        "production.lesson00_install",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "check_stack", "smoke_test"),
        "What a RabbitMQ install is made of (Erlang VM, node name, cookie, folders, config, plugins); diagnostics; plugins on and off; celery report.",
    ),
    Lesson(
        1, "hello-world", "Hello world",
        "rabbitmq_basics.lesson01_hello_world",
        (RABBITMQ, MANAGEMENT), ("send", "receive"),
        "A producer, a queue, a consumer: the default exchange, routing key = queue name, auto-ack.",
    ),
    Lesson(
        2, "work-queues", "Work queues",
        "rabbitmq_basics.lesson02_work_queues",
        (RABBITMQ, MANAGEMENT), ("new_task", "worker"),
        "Share tasks between workers: round-robin, manual acks, durability, fair dispatch with prefetch.",
    ),
    Lesson(
        3, "publish-subscribe", "Publish/subscribe",
        "rabbitmq_basics.lesson03_publish_subscribe",
        (RABBITMQ, MANAGEMENT), ("emit_log", "receive_logs"),
        "Exchanges vs queues: a fanout exchange copies each message to every bound, server-named, exclusive queue.",
    ),
    Lesson(
        4, "routing", "Routing",
        "rabbitmq_basics.lesson04_routing",
        (RABBITMQ, MANAGEMENT), ("emit_log_direct", "receive_logs_direct"),
        "A direct exchange routes by key: binding key = routing key, several bindings per queue, unmatched keys dropped.",
    ),
    Lesson(
        5, "topics", "Topics",
        "rabbitmq_basics.lesson05_topics",
        (RABBITMQ, MANAGEMENT), ("emit_log_topic", "receive_logs_topic"),
        "A topic exchange routes by pattern: * is one word, # is zero or more; # alone is fanout, no wildcard is direct.",
    ),
    Lesson(
        6, "headers", "Headers exchange",
        "rabbitmq_basics.lesson06_headers",
        (RABBITMQ, MANAGEMENT), ("emit_headers", "receive_headers"),
        "Route on header values instead of the routing key: x-match all or any; when to prefer it over topics.",
    ),
    Lesson(
        7, "rpc", "RPC",
        "rabbitmq_basics.lesson07_rpc",
        (RABBITMQ, MANAGEMENT), ("rpc_server", "rpc_client"),
        "Request/reply: reply_to, correlation_id, prefetch 1 servers, a timeout without busy-waiting, error replies, direct reply-to.",
    ),
    Lesson(
        8, "publisher-confirms", "Publisher confirms and unroutable messages",
        "rabbitmq_basics.lesson08_publisher_confirms",
        (RABBITMQ, MANAGEMENT), ("publisher_confirms", "unroutable"),
        "Know the broker has your message: confirms one by one, in batches, async; mandatory and alternate exchanges.",
    ),
    Lesson(
        9, "dead-letters", "Dead letters, TTL, priority and quorum queues",
        "rabbitmq_basics.lesson09_dead_letters",
        (RABBITMQ, MANAGEMENT), ("dead_letters", "new_task", "retry_worker", "priority", "poison_consumer"),
        "Where rejected, expired and overflowing messages go; delayed retry with a parking lot; priorities; quorum delivery limits.",
    ),
    Lesson(
        10, "management", "The management plugin and watching the broker",
        "rabbitmq_basics.lesson10_management",
        (RABBITMQ, MANAGEMENT),
        ("producer", "slow_consumer", "watch_queues", "api_tour", "limited_user", "topology"),
        "The management UI and HTTP API: queues, rates, connections, vhosts, users, definitions; a live watcher.",
    ),
    Lesson(
        11, "kombu", "From pika to kombu",
        "celery_basics.lesson11_kombu",
        (RABBITMQ, MANAGEMENT, REDIS), ("new_task", "worker"),
        "The work queue again with kombu: Exchange, Queue, Producer, ConsumerMixin, retry policies; the same code on RabbitMQ and Redis.",
    ),
    Lesson(
        12, "first-app", "The first Celery app",
        "celery_basics.lesson12_first_app",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "client", "benchmark"),
        "An app, a task, a worker: delay, apply_async (countdown, expires, queue), the task message under the hood.",
    ),
    Lesson(
        13, "results", "Results and task states",
        "celery_basics.lesson13_results",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "client", "no_backend"),
        "Redis vs rpc:// backends, PENDING/STARTED/SUCCESS/FAILURE, get timeouts, ignore_result, result_expires, DisabledBackend.",
    ),
    Lesson(
        14, "reliable-tasks", "Reliable tasks",
        "celery_basics.lesson14_reliable_tasks",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "client"),
        "Retries with backoff, soft and hard time limits, rate limits, acks_late + reject_on_worker_lost when a worker dies.",
    ),
    Lesson(
        15, "progress", "Progress of long jobs",
        "celery_basics.lesson15_progress",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "client"),
        "A custom PROGRESS state with update_state, read from the result backend: live bars for several jobs at once.",
    ),
    Lesson(
        16, "workflows", "Workflows (canvas)",
        "celery_basics.lesson16_workflows",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "client"),
        "Signatures, chain, group, chord (a report merged from several queries), map/starmap/chunks, immutable signatures, a failing chord.",
    ),
    Lesson(
        17, "routing-and-scaling", "Routing and scaling out",
        "celery_basics.lesson17_routing",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "client", "batch", "inspect_workers"),
        "task_routes to media and default queues, named workers with -Q, prefetch vs long tasks, priorities, the control API.",
    ),
    Lesson(
        18, "periodic-tasks", "Periodic tasks with beat",
        "celery_basics.lesson18_periodic_tasks",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "beat"),
        "celery beat beside a worker: interval and crontab schedules, the schedule file, why only one beat may run.",
    ),
    Lesson(
        19, "flower", "Monitoring Celery with Flower",
        "celery_basics.lesson19_flower",
        (RABBITMQ, MANAGEMENT, REDIS, FLOWER),
        ("worker: celery -A tasks worker -E --loglevel INFO", "flower: celery -A tasks flower",
         "client", "progress", "monitor", "charts"),
        "Flower's task history, worker counters, queues and /metrics over its authenticated API; charts; PROGRESS vs events; a real browser.",
    ),
    Lesson(
        20, "configuration", "Configuration",
        "celery_basics.lesson20_configuration",
        (RABBITMQ, MANAGEMENT, REDIS),
        ("worker: celery -A proj worker --loglevel INFO", "check_config", "show_conf"),
        "config_from_object, overrides from the environment, celery inspect conf, production settings and why, two common mistakes.",
    ),
    Lesson(
        21, "flask", "A Flask app that hands slow work to Celery",
        "celery_basics.lesson21_flask",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "app", "client"),
        "POST answers 202 at once with the job's URL; GET shows state, PROGRESS and the result; a page with a progress bar; JSON 404/400.",
    ),
    Lesson(
        22, "django", "Celery inside Django",
        "celery_basics.lesson22_django",
        (RABBITMQ, MANAGEMENT, REDIS), ("manage", "worker: celery -A proj worker --loglevel INFO"),
        "A Django project wired as Celery's guide says (config_from_object, autodiscover_tasks, shared_task); delay_on_commit vs a task that runs before the commit.",
    ),
    Lesson(
        23, "other-languages", "One broker, many languages",
        "celery_basics.lesson23_other_languages",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "send_task", "send_jobs", "job_worker"),
        "PHP, Ruby, Java, Go and Node.js beside Python: one JSON work queue (acks, prefetch, dead letters), "
        "and Celery tasks (protocol v2) sent from each, results via Redis or rpc://.",
    ),
    Lesson(
        24, "services", "Workers as services",
        "production.lesson24_services",
        (RABBITMQ, MANAGEMENT, REDIS), ("render", "client"),
        "A worker and beat under supervisord, systemd units verified and hardened, celery multi; warm vs cold shutdown, restarts that lose nothing, recycling leaky pool processes, health checks.",
    ),
    Lesson(
        25, "cluster", "A RabbitMQ cluster and quorum queues",
        "production.lesson25_cluster",
        (RABBITMQ, MANAGEMENT, REDIS), ("producer", "consumer", WORKER, "client"),
        "Three nodes joined; a quorum queue on all three; the leader's node stopped under load, nothing lost; clients fail over; what a majority means.",
    ),
    Lesson(
        26, "pressure", "A broker under pressure",
        "production.lesson26_pressure",
        (RABBITMQ, MANAGEMENT, REDIS),
        ("publisher", "consumer", "max_length", "stalled_consumer", "slow_consumer", WORKER, "client"),
        "On a node of its own: memory and disk alarms block publishers, length limits, consumer timeouts, heartbeats, a Celery worker that reconnects.",
    ),
    Lesson(
        27, "security", "Security: TLS, users, vhosts",
        "production.lesson27_security",
        (RABBITMQ, MANAGEMENT),
        ("certificates", "tls_check", "management_https", "setup_apps", "producer", "order_worker", WORKER, "client"),
        "TLS with a throwaway CA for pika, kombu, Celery and the management API; a user and vhost per app, least-privilege permissions; Redis with a password.",
    ),
    Lesson(
        28, "performance", "Performance: measure, then tune",
        "production.lesson28_performance",
        (RABBITMQ, MANAGEMENT, REDIS), ("benchmark", WORKER),
        "One benchmark: publish rates with and without confirms, consume rates by prefetch, classic vs quorum; Celery tasks/s from the defaults to a tuned worker, each knob on its own.",
    ),
    Lesson(
        29, "testing", "Testing Celery code against a real broker",
        "production.lesson29_testing",
        (RABBITMQ, MANAGEMENT, REDIS), (WORKER, "run_tests"),
        "Unit tests of task functions; why task_always_eager hides serialization and routing bugs; celery.contrib.pytest's "
        "celery_app and celery_worker on the real broker; retries, time limits, a chord; pytest-celery for Docker users.",
    ),
    Lesson(
        30, "delayed-work", "Delayed and scheduled work",
        "production.lesson30_delayed_work",
        (RABBITMQ, MANAGEMENT, REDIS),
        ("send", "bad_input", WORKER, "quorum_worker: celery -A quorum_tasks worker --loglevel INFO",
         "redis_worker: celery -A redis_tasks worker --loglevel INFO"),
        "countdown, eta and retries: held by the worker on a classic queue, the consumer timeout, native delayed "
        "delivery on a quorum queue, Redis's visibility timeout, soft shutdown, three mistakes.",
    ),
)


class UnknownLesson(LookupError):
    pass


def get(number: int | str) -> Lesson:
    """The lesson with that number; UnknownLesson lists the valid ones."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = None
    for lesson in LESSONS:
        if lesson.number == wanted:
            return lesson
    valid = ", ".join(str(lesson.number) for lesson in LESSONS)
    raise UnknownLesson(f"There is no lesson {number!s}. The lessons are: {valid} ('python -m lessons list' shows them).")
