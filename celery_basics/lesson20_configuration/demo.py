"""Lesson 20's story in one terminal: two configuration modules, an override from the
environment, what the workers really run with, and two mistakes.

    make lesson-20            (or: python -m lessons run 20)
"""

import json
import sys

from lessons.story import Story

LESSON = "celery_basics.lesson20_configuration"
APP = "proj"  # celery -A proj: the package proj/ of the lesson's folder
QUEUE = "lesson20_configuration"
CONF = r"\[\.\] (\S+) (\w+) = (.*?)( \(default\))?$"


def main(argv=None) -> int:
    with Story(20, argv) as story:
        # Celery names the default exchange after the default queue: both go at the end.
        story.start_fresh(queues=[QUEUE], exchanges=[QUEUE])

        story.section("Two configuration modules: celeryconfig.py and production.py")
        for module in ("celeryconfig", "production"):
            checked = story.run("check", f"{LESSON}.check_config", module)
            story.check(checked.count(r"every name is a Celery setting") == 1,
                        f"{module}.py: every name in it is a Celery setting")

        story.section("Three workers, one app, three configurations")
        story.say("dev:  the default module (celeryconfig) with CELERY_WORKER_CONCURRENCY=3 in its environment\n"
                  "prod: CELERY_CONFIG_MODULE=production\n"
                  "typo: CELERY_CONFIG_MODULE=misspelled")
        workers = {
            "dev": story.start_worker("dev", APP, ready=None, env={"CELERY_WORKER_CONCURRENCY": "3"}),
            "prod": story.start_worker("prod", APP, ready=None,
                                       env={"CELERY_CONFIG_MODULE": "production"}),
            "typo": story.start_worker("typo", APP, ready=None,
                                       env={"CELERY_CONFIG_MODULE": "misspelled"}),
        }
        names = {role: worker.wait_for(r"(\S+@\S+) ready\.", timeout=30)[1]
                 for role, worker in workers.items()}

        story.section("Ask them what they run with (the control API: inspect().conf())")
        shown = story.run("show_conf", f"{LESSON}.show_conf", *names.values(), echo=False)
        conf = {role: {} for role in names}
        role_of = {name: role for role, name in names.items()}
        defaults = set()
        for match in shown.matches(CONF):
            conf[role_of[match[1]]][match[2]] = json.loads(match[3])
            if match[4]:
                defaults.add((role_of[match[1]], match[2]))
        settings = list(conf["prod"])
        story.table("Settings the workers run with (* = Celery's default: not in the reply)",
                    ["setting", "dev", "prod", "typo"],
                    [(key, *(json.dumps(conf[role].get(key)) + (" *" if (role, key) in defaults else "")
                             for role in ("dev", "prod", "typo"))) for key in settings])
        dev, prod, typo = conf["dev"], conf["prod"], conf["typo"]
        story.check(dev.get("worker_concurrency") == 3,
                    "dev: worker_concurrency 3, from the environment (the module's default is 2)")
        story.check(dev.get("worker_prefetch_multiplier") == 4 and dev.get("task_acks_late") is False,
                    "dev: Celery's defaults elsewhere (prefetch multiplier 4, early acks)")
        expected = {"worker_prefetch_multiplier": 1, "task_acks_late": True,
                    "task_reject_on_worker_lost": True, "accept_content": ["json"],
                    "task_soft_time_limit": 60, "task_time_limit": 90, "result_expires": 86400,
                    "worker_max_tasks_per_child": 200, "timezone": "UTC"}
        story.check(all(prod.get(key) == value for key, value in expected.items()),
                    "prod: production.py's values (prefetch 1, acks late, time limits 60/90 s, ...)")

        story.say(f"From the command line: celery -A {APP} inspect conf -j -d {names['prod']}")
        cli = story.start_command("celery", [sys.executable, "-m", "celery", "-A", APP, "inspect",
                                             "conf", "--json", "--destination", names["prod"]])
        cli.wait(timeout=30)
        reply = next((json.loads(line) for line in cli.lines if line.startswith("{")), {})
        real = reply.get(names["prod"], {})
        story.check(real.get("task_acks_late") is True and real.get("worker_prefetch_multiplier") == 1,
                    "celery inspect conf shows prod's non-default settings: task_acks_late, prefetch 1, ...")
        story.check("********" in real.get("broker_url", "") and "course:course" not in json.dumps(real),
                    "and masks the broker password")

        story.section("Mistake 1: a misspelled setting name")
        story.check(typo.get("worker_prefetch_multiplier") == 4,
                    "typo: misspelled.py sets 'worker_prefetch_multipler = 1', yet the worker runs "
                    "with the default 4, without a word")
        checked = story.run("check", f"{LESSON}.check_config", "misspelled", expect_code=1)
        story.check(checked.count(r"did you mean 'worker_prefetch_multiplier'") == 1,
                    "check_config: Celery's KeyError for the name, and the setting it meant")

        story.section("Mistake 2: a configuration module that does not exist")
        checked = story.run("check", f"{LESSON}.check_config", "celeryconfg", expect_code=1)
        story.check(checked.count(r"ModuleNotFoundError") == 1,
                    "check_config: Celery's ModuleNotFoundError, and a sentence about the name")
        missing = story.start_worker("missing", APP, ready=None, echo=False,
                                     env={"CELERY_CONFIG_MODULE": "celeryconfg"})
        code = missing.wait(timeout=30)
        last = missing.lines[-1] if missing.lines else ""
        story.say(f"A worker with CELERY_CONFIG_MODULE=celeryconfg exits with code {code}; "
                  f"Celery prints a traceback that ends with:\n    {last}")
        story.say("In a sentence: the configuration module named by CELERY_CONFIG_MODULE cannot be "
                  "imported (a typo: 'celeryconfg'), so the worker cannot even start.")
        story.check(code != 0 and "ModuleNotFoundError" in last,
                    "the worker refused to start, with Celery's ModuleNotFoundError")
    return story.exit_code


if __name__ == "__main__":
    sys.exit(main())
