"""The process runner: readiness deadlines, facts, and no child left behind on any exit path."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from helpers import ROOT, gone, read_until

from lessons.processes import ReadinessTimeout
from lessons.story import Story

ROLE = "tests.fixtures.chatty_role"


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
    assert gone(grandchild), "the role's own child was killed with its process group"


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
    from lessons.story import Story
    with Story("interrupt me", []) as story:
        role = story.start("role", {ROLE!r}, "--grandchild", ready=r"Waiting")
        grandchild = role.wait_for(r"grandchild (\\d+)").group(1)
        story.say(f"pids {{role.popen.pid}} {{grandchild}}")  # say() is thread-safe; print() is not
        role.wait(timeout=60)
    sys.exit(story.exit_code)
""")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupting_the_demo_stops_every_child(sig):
    demo = subprocess.Popen([sys.executable, "-c", DEMO], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "NO_COLOR": "1"})
    seen = read_until(demo, "pids", timeout=20)
    pids = [int(p) for p in next(line for line in seen.splitlines() if line.startswith("pids")).split()[1:]]
    demo.send_signal(sig)
    try:
        out, _ = demo.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        demo.kill()
        out, _ = demo.communicate()
        raise AssertionError(f"the demo did not stop on {sig!r}; its output:\n{out}") from None
    assert demo.returncode == 130, out
    assert "Interrupted. Stopping everything" in out
    assert "Traceback" not in out
    assert all(gone(pid) for pid in pids), "no child or grandchild outlives the demo"


def test_children_die_with_a_killed_runner():
    # Even SIGKILL of the runner (no cleanup possible) takes its children along (PR_SET_PDEATHSIG).
    demo = subprocess.Popen([sys.executable, "-c", DEMO], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    role_pid, grandchild = (int(p) for p in next(line for line in read_until(demo, "pids", timeout=20).splitlines() if line.startswith("pids")).split()[1:])
    demo.kill()
    demo.wait(timeout=10)
    assert gone(role_pid)
    # A grandchild is out of reach of PR_SET_PDEATHSIG (it only covers direct children); the
    # runner's own stop() kills whole process groups, which a SIGKILLed runner cannot do.
    os.kill(grandchild, signal.SIGKILL)


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    from lessons.console import use_colour

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert use_colour() is False
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert use_colour() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_colour() is False


def test_prefixes_carry_colour_codes_only_when_asked(capsys):
    from lessons.processes import Process

    plain = Process("plain", [sys.executable, "-c", "print('hi [x] [bold]')"], colour=None, env=None)
    plain.wait(timeout=10)
    coloured = Process("tinted", [sys.executable, "-c", "print('hi')"], colour="cyan", env=None)
    coloured.wait(timeout=10)
    out = capsys.readouterr().out
    assert "     plain | hi [x] [bold]\n" in out  # role output is text, never rich markup
    assert "\033[36m    tinted |\033[0m hi" in out


def test_ctrl_c_while_a_role_still_imports_its_modules_is_quiet():
    """The launcher, not the role, turns an early Ctrl+C into a quiet exit: no KeyboardInterrupt
    traceback from the middle of an import (seen when a demo was interrupted right after it
    started its roles)."""
    role = subprocess.Popen([sys.executable, "-m", "lessons.launch", "tests.fixtures.slow_import_role"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    read_until(role, "importing ...", timeout=20)
    role.send_signal(signal.SIGINT)
    out, _ = role.communicate(timeout=20)
    assert role.returncode == 0, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out, out


SECOND_CTRL_C = textwrap.dedent("""
    import os, signal, time
    from lessons.story import Story

    def cleanup():
        os.kill(os.getpid(), signal.SIGINT)  # the second Ctrl+C, in the middle of the cleanup
        time.sleep(0.5)
        print("cleanup finished", flush=True)

    with Story("runner test", []) as story:
        story.cleanup(cleanup, always=True)
        os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl+C
        time.sleep(60)
""")


def test_a_second_ctrl_c_does_not_cut_the_cleanup_short():
    """An impatient learner presses Ctrl+C twice: the demo still stops everything it started
    (nodes of the lesson's own would otherwise outlive it) and says it is still stopping. The
    script interrupts itself, at fixed points of its own, so that no timing decides."""
    result = subprocess.run([sys.executable, "-c", SECOND_CTRL_C], cwd=ROOT, capture_output=True, text=True,
                            timeout=30, env={**os.environ, "NO_COLOR": "1"})
    out = result.stdout + result.stderr
    assert "Interrupted. Stopping everything" in out, out
    assert "(Still stopping everything this demo started: a moment.)" in out
    assert "cleanup finished" in out and "Traceback" not in out, out
