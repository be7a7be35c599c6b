"""Lesson 14 end to end: retries, time limits, rate limit and a killed pool process, for real."""

import re

import pytest
from helpers import assert_clean_run, interrupt_at, run_lesson, sandbox_processes, start_lesson


def test_demo_survives_a_killed_pool_process(management):
    out = assert_clean_run(run_lesson(14, timeout=120))
    attempts = re.findall(r"long_job report-42: running in pid (\d+) \(redelivered: (\w+)\)", out)
    assert len(attempts) == 2 and attempts[0][1] == "False" and attempts[1][1] == "True", attempts
    assert attempts[0][0] != attempts[1][0], "another pool process ran it the second time"
    assert f"pid:{attempts[0][0]} exited with 'signal 9 (SIGKILL)'" in out
    assert "client |  [.] report-42 done" in out
    assert out.count("data after 3 attempts") >= 2
    assert "crunch: soft time limit, cleaning up after" in out
    assert "Hard time limit (1.5s) exceeded" in out
    assert management.queue("lesson14_reliable_tasks") is None
    assert [p for p in sandbox_processes() if "celery" in str(p)] == []


@pytest.mark.either_broker
def test_ctrl_c_during_the_demo_stops_the_worker():
    def the_worker_runs(_):
        assert [p for p in sandbox_processes() if "celery" in str(p)], "the worker runs"

    rest = interrupt_at(start_lesson(14), "Retries: a service that fails twice", before=the_worker_runs)
    assert "Interrupted" in rest, rest
    assert "Interrupted. Stopping everything this demo started" in rest
    assert "Traceback" not in rest
    assert [p for p in sandbox_processes() if "celery" in str(p)] == []
