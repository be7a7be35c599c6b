"""Exercise 20: a configuration module with misspelt settings, and a value from the environment."""

import ast
import difflib

from lessons.exercises import Exercise

CONCURRENCY = 3  # what the checker puts in EXERCISE20_CONCURRENCY


def known_settings() -> set[str]:
    from celery.app.defaults import NAMESPACES, flatten

    return {name for name, _ in flatten(NAMESPACES)}


def assigned_names(path) -> list[str]:
    """The lowercase names the module sets at its top level: Celery reads each as a setting."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return []
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id.islower() and not t.id.startswith("_")]
    return names


def check(ck):
    ck.section(f"A worker starts with EXERCISE20_CONCURRENCY={CONCURRENCY} (and no --concurrency option)")
    worker = ck.start_worker(app="tasks", concurrency=None, env={"EXERCISE20_CONCURRENCY": str(CONCURRENCY)})
    ck.say("The checker asks the running worker for its configuration and statistics "
           "(celery inspect conf / inspect stats).")
    name = worker.matches(r"(\S+@\S+) ready\.")[-1].group(1)
    inspect = ck.celery_client().control.inspect(destination=[name], limit=1, timeout=5)
    conf = (inspect.conf(with_defaults=True) or {}).get(name)
    stats = (inspect.stats() or {}).get(name)
    ck.require(conf and stats, "the worker answered", f"the worker did not answer the control commands. "
               f"{'' if worker.running else ck.diagnose(worker)}")

    known = known_settings()
    for unknown in (n for n in assigned_names(ck.folder / "celeryconfig.py") if n not in known):
        close = difflib.get_close_matches(unknown, known, n=1)
        ck.expect(False, "", f"'{unknown}' is not a Celery setting, so Celery ignores it without a word"
                             + (f" (did you mean '{close[0]}'?)" if close else "") + ".")
    ck.expect(conf.get("task_acks_late") is True and conf.get("task_reject_on_worker_lost") is True,
              "task_acks_late and task_reject_on_worker_lost are on",
              "task_acks_late and task_reject_on_worker_lost should both be True in the running worker.")
    processes = stats["pool"].get("max-concurrency")
    ck.expect(processes == CONCURRENCY, f"it runs {CONCURRENCY} processes, as EXERCISE20_CONCURRENCY says",
              f"it runs {processes} processes although EXERCISE20_CONCURRENCY={CONCURRENCY}: read "
              "worker_concurrency from the environment.")
    multiplier = conf.get("worker_prefetch_multiplier")
    prefetch = stats.get("prefetch_count")
    ck.expect(multiplier == 1 and prefetch == processes,
              f"worker_prefetch_multiplier is 1: it holds {prefetch} messages, one per process",
              f"worker_prefetch_multiplier is {multiplier}: the worker holds {prefetch} unacknowledged "
              f"messages for its {processes} processes, not one each.")
    expires = conf.get("result_expires")
    ck.expect(expires in (3600, 3600.0, "1:00:00"), "result_expires is one hour",
              f"result_expires is {expires!r} (the default is a day): it should be 3600 seconds.")


EXERCISES = (
    Exercise(
        name="configuration",
        title="A configuration module that says what it means",
        files=("celeryconfig.py",),
        task="Fix celeryconfig.py: two misspelt settings, and worker_concurrency read from "
             "EXERCISE20_CONCURRENCY (default 2). The checker reads the running worker's configuration.",
        check=check,
        hints=(
            "Celery takes every lowercase name of the module as a setting, and silently keeps names it "
            "does not know. 'celery -A tasks inspect conf' shows what a running worker really uses.",
            "Compare each name with the settings reference (worker_prefetch_..., result_expir...). "
            "For the environment: os.environ.get(NAME, default) returns a string.",
            "worker_prefetch_multiplier = 1, result_expires = 3600 and\n"
            "    worker_concurrency = int(os.environ.get(\"EXERCISE20_CONCURRENCY\", \"2\"))",
        ),
        starter_says=r"\[no\] 'result_expire' is not a Celery setting.*did you mean 'result_expires'",
        deadline=60,
    ),
)
