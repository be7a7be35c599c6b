"""Lesson 20 end to end: two configurations loaded by real workers and checked with the control
API and `celery inspect conf`; then a misspelled setting and a configuration module that does
not exist."""

import re

from helpers import assert_clean_run, lesson_processes, run_lesson

QUEUE = "lesson20_configuration"


def row(out: str, setting: str) -> list[str]:
    match = re.search(rf"│ {setting} +│(.*)│\n", out)
    assert match, setting
    return [cell.strip() for cell in match[1].split("│")]


def test_demo_loads_two_configurations_and_checks_what_the_workers_report(management):
    out = assert_clean_run(run_lesson(20))
    assert row(out, "worker_concurrency")[:2] == ["3", "2"]  # dev: from the environment
    assert row(out, "worker_prefetch_multiplier") == ["4", "1", "4 *"]  # typo: the default
    assert row(out, "task_acks_late")[:2] == ["false *", "true"]
    assert row(out, "task_time_limit")[1] == "90" and row(out, "task_soft_time_limit")[1] == "60"
    assert '"worker_prefetch_multiplier": 1' in out and '"task_acks_late": true' in out  # inspect conf
    assert "amqp://course:********@" in out
    assert "did you mean 'worker_prefetch_multiplier' (default 4)?" in out
    assert "ModuleNotFoundError: No module named 'celeryconfg'" in out
    assert management.queue(QUEUE) is None
    assert QUEUE not in {exchange["name"] for exchange in management.exchanges()}
    assert lesson_processes("lesson20_configuration") == []


def test_misspelled_setting_is_named_with_the_one_meant():
    result = run_lesson(20, "misspelled", role="check_config")
    assert result.returncode == 1, result.stdout
    assert "[!] Celery: KeyError('worker_prefetch_multipler')" in result.stdout
    assert ("'worker_prefetch_multipler' is not a Celery setting, so Celery ignores it: "
            "did you mean 'worker_prefetch_multiplier' (default 4)?") in result.stdout
    assert "Traceback" not in result.stdout


def test_missing_configuration_module_is_a_sentence():
    checked = run_lesson(20, "celeryconfg", role="check_config")
    assert checked.returncode == 1, checked.stdout
    assert "[!] Celery: ModuleNotFoundError(" in checked.stdout
    assert "The configuration module 'celeryconfg' cannot be imported." in checked.stdout
    # The worker role, pointed at it through the environment, says so and stops.
    worker = run_lesson(20, role="worker", timeout=30,
                        env={"CELERY_CONFIG_MODULE": "celeryconfg"})
    assert worker.returncode == 1, worker.stdout
    assert "Celery cannot import the configuration module (No module named 'celeryconfg')" in worker.stdout
    assert "Traceback" not in worker.stdout
    assert lesson_processes("lesson20_configuration") == []


def test_override_from_the_environment_reaches_the_configuration():
    checked = run_lesson(20, "production", role="check_config",
                         env={"CELERY_WORKER_PREFETCH_MULTIPLIER": "2"})
    assert checked.returncode == 0, checked.stdout
    assert "[.] worker_prefetch_multiplier = 2" in checked.stdout
    assert "[.] task_acks_late = True" in checked.stdout
    assert "course:course" not in checked.stdout  # passwords are not printed
