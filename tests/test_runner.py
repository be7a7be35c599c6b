"""The process runner: readiness deadlines, facts, and no child left behind on any exit path."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from helpers import ROOT

from lessons.runner import ReadinessTimeout, Story

ROLE = "tests.fixtures.chatty_role"


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return False


def test_readiness_line_is_awaited_and_output_kept():
    with Story("runner test", []) as story:
        role = story.start("role", ROLE, ready=r"\[\*\] Waiting")
        assert role.count("Waiting") == 1
        assert role.when("Waiting") is not None
        story.check(True, "the role got ready")
    assert story.exit_code == 0
    assert not role.running


def test_readiness_deadline_names_the_role_and_the_pattern(capsys):
    with Story("runner test", []) as story:
        story.start("slowpoke", ROLE, "--never-ready", ready=r"\[\*\] Waiting", timeout=1)
    assert story.exit_code == 1
    role = story.processes[0]
    out = capsys.readouterr().out
    assert "slowpoke did not print" in out and "Waiting" in out and "within 1 s" in out
    assert "Traceback" not in out
    assert not role.running


def test_a_role_that_exits_early_is_reported():
    with pytest.raises(ReadinessTimeout, match="exited \\(code 2\\) before printing"):
        story = Story("runner test", [])
        try:
            story.start("bad", ROLE, "--no-such-flag", ready="this line never comes")
        finally:
            story.stop_all()


def test_failed_fact_fails_the_demo_and_children_are_stopped(capsys):
    with Story("runner test", []) as story:
        role = story.start("role", ROLE, "--grandchild", ready=r"\[\*\] Waiting")
        grandchild = int(role.wait_for(r"grandchild (\d+)").group(1))
        story.check(False, "a fact that does not hold")
    out = capsys.readouterr().out
    assert story.exit_code == 1
    assert "1 of 1 facts did NOT hold" in out
    assert not role.running
    assert not alive(grandchild), "the role's own child was killed with its process group"


def test_a_demo_without_facts_is_a_defect(capsys):
    with Story("runner test", []) as story:
        story.say("nothing checked")
    assert story.exit_code == 1
    assert "checked no facts" in capsys.readouterr().out


def test_a_role_ignoring_sigint_is_killed_after_the_grace_period():
    with Story("runner test", []) as story:
        role = story.start("stubborn", ROLE, "--ignore-sigint", ready=r"\[\*\] Waiting")
        story.check(True, "started")
        role.stop(grace=0.5)
    assert role.returncode == -signal.SIGKILL


DEMO = textwrap.dedent(f"""
    import sys
    from lessons.runner import Story
    with Story("interrupt me", []) as story:
        role = story.start("role", {ROLE!r}, "--grandchild", ready=r"Waiting")
        print("pids", role.popen.pid, role.wait_for(r"grandchild (\\d+)").group(1), flush=True)
        role.wait(timeout=60)
    sys.exit(story.exit_code)
""")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupting_the_demo_stops_every_child(sig):
    demo = subprocess.Popen([sys.executable, "-c", DEMO], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "NO_COLOR": "1"})
    pids = []
    for line in demo.stdout:
        if line.startswith("pids"):
            pids = [int(p) for p in line.split()[1:]]
            break
    assert pids, "the demo started its role"
    demo.send_signal(sig)
    out = demo.stdout.read()
    demo.wait(timeout=20)
    assert demo.returncode == 130
    assert "Interrupted. Stopping everything" in out
    assert "Traceback" not in out
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in pids), "no child or grandchild outlives the demo"


def test_children_die_with_a_killed_runner():
    # Even SIGKILL of the runner (no cleanup possible) takes its children along (PR_SET_PDEATHSIG).
    demo = subprocess.Popen([sys.executable, "-c", DEMO], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    for line in demo.stdout:
        if line.startswith("pids"):
            role_pid = int(line.split()[1])
            break
    demo.kill()
    demo.wait(timeout=10)
    deadline = time.monotonic() + 5
    while alive(role_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(role_pid)
