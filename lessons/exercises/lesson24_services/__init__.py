"""Exercise 24: a supervisord program section that restarts a Celery worker without losing the
running task (warm shutdown), and starts it again when it exits."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from lessons.broker import celery_env
from lessons.exercises import Exercise
from lessons.processes import end_processes
from lessons.waiting import ReadinessTimeout, wait_until

MARKER = "EXERCISE24_RUN"  # in the environment of supervisord and all it starts: to find strays
TASK_SECONDS = 5
READY = r"(exercise24@\S+) ready\."


def strays(folder: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get(MARKER) == folder and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (psutil.Error, OSError):
            continue
    return found


def stop_everything(folder: str, conf: Path, env: dict) -> None:
    """supervisorctl shutdown (the worker stops warm), then whatever is left of the run is killed."""
    if (Path(folder) / "supervisor.sock").exists():
        try:
            subprocess.run([shutil.which("supervisorctl") or "supervisorctl", "-c", str(conf), "shutdown"],
                           capture_output=True, timeout=15, env=env)
        except (subprocess.TimeoutExpired, OSError):
            pass
    end_processes(strays(folder), grace=10)
    shutil.rmtree(folder, ignore_errors=True)


def check(ck):
    if not (shutil.which("supervisord") and shutil.which("supervisorctl")):
        ck.stop("supervisord is not installed: 'apt-get install -y supervisor' (or 'pip install supervisor').")
    folder = tempfile.mkdtemp(prefix="exercise24-")
    for name in ("supervisord.conf", "tasks.py"):
        shutil.copy(ck.folder / name, Path(folder) / name)
    conf = Path(folder) / "supervisord.conf"
    env = celery_env({MARKER: folder, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"})
    ck.cleanup(lambda: stop_everything(folder, conf, {**os.environ, **env}), always=True)

    ck.section(f"supervisord runs your supervisord.conf, in a copy of the folder ({folder})")
    for log in ("worker.log", "supervisord.log"):
        (Path(folder) / log).touch()
    worker = ck.start_program("worker.log", ["tail", "-n", "+1", "-F", f"{folder}/worker.log"])
    supervisor_log = ck.start_program("supervisord.log", ["tail", "-n", "+1", "-F", f"{folder}/supervisord.log"],
                                      echo=True)
    # -s: supervisord logs to its file only (read above), never to our pipe.
    supervisord = ck.start_program("supervisord", ["supervisord", "-n", "-s", "-c", str(conf)], env=env, echo=True)

    def ready():
        if worker.matches(READY):
            return True
        if not supervisord.running:
            time.sleep(0.2)
            ck.stop(f"supervisord stopped at once: {ck.diagnose(supervisord)} Is supervisord.conf still valid?")
        return False

    try:
        wait_until(ready, timeout=40, interval=0.1)
    except ReadinessTimeout:
        ck.stop("the worker did not say it was ready within 40 s (worker.log). Its last lines:\n"
                + "\n".join(worker.lines[-5:]))
    node = worker.matches(READY)[0].group(1)
    ck.expect(True, f"supervisord started the worker: {node} is ready")

    ck.section(f"A task of {TASK_SECONDS} s starts; meanwhile: supervisorctl restart worker")
    app = ck.celery_client()
    task_id = ck.send_task(app, "exercise24.slow", TASK_SECONDS, queue="exercise24")
    ck.wait_for_line(worker, r"slow: started", 15, "start the task ('slow: started')")
    restart = ck.start_program("supervisorctl", ["supervisorctl", "-c", str(conf), "restart", "worker"],
                               env=env, echo=True)
    meta = ck.wait_for_result(task_id, timeout=TASK_SECONDS + 8, give_up=lambda: not restart.running
                              and len(worker.matches(READY)) >= 2)
    try:
        restart.wait(timeout=30)
    except Exception:
        ck.stop("supervisorctl restart worker did not finish within 30 s.")
    stopped = ck.lines_soon(supervisor_log, r"stopped: worker \((.*)\)")
    how = stopped[-1].group(1) if stopped else "?"
    ck.expect(meta and meta.get("status") == "SUCCESS",
              f"the running task finished during the warm shutdown (supervisord.log: stopped: worker ({how}))",
              f"the running task did not finish: its state is {(meta or {}).get('status', 'PENDING')}. "
              f"supervisord.log says 'stopped: worker ({how})': the worker did not get the time (or the "
              f"signal) its warm shutdown needs to finish a {TASK_SECONDS} s task.")
    back = ck.lines_soon(worker, READY, count=2, timeout=30)
    ck.require(len(back) >= 2, "the worker is back after the restart",
               "the worker did not come back after supervisorctl restart (no second 'ready.' in worker.log).")

    ck.section("The worker is told to exit (celery control shutdown): it exits with code 0")
    spawned = len(supervisor_log.matches(r"spawned: 'worker'"))
    app.control.shutdown(destination=[node])
    ck.lines_soon(supervisor_log, r"exited: worker", timeout=15)
    again = ck.lines_soon(supervisor_log, r"spawned: 'worker'", count=spawned + 1, timeout=8)
    exited = supervisor_log.matches(r"exited: worker \((.*)\)")
    ck.expect(len(again) > spawned and ck.lines_soon(worker, READY, count=3, timeout=30)[2:],
              "supervisord started it again, and it is ready",
              f"supervisord did not start it again (supervisord.log: exited: worker "
              f"({exited[-1].group(1) if exited else '?'})). A worker that exits with code 0 is "
              "'expected' for supervisord: it restarts only unexpected exits unless told otherwise.")


EXERCISES = (
    Exercise(
        name="supervised-worker",
        title="A supervised worker that restarts without losing its task",
        files=("supervisord.conf",),
        task="Finish the [program:worker] section of supervisord.conf: a restart lets the running task "
             "finish (warm shutdown), and a worker that exits, even with code 0, is started again.",
        check=check,
        hints=(
            "Three options of the [program:x] section decide this: stopsignal (what supervisord sends "
            "to stop the program), stopwaitsecs (how long it waits for the exit before SIGKILL) and "
            "autorestart (false, unexpected or true).",
            "Celery's warm shutdown is SIGTERM (stopsignal=TERM): the worker stops taking tasks and "
            "finishes the running ones. It needs stopwaitsecs above your longest task. autorestart's "
            "default, unexpected, does not restart an exit with code 0.",
            "In [program:worker], instead of the two TODO lines:\n"
            "    stopsignal=TERM\n"
            "    stopwaitsecs=60\n"
            "    autorestart=true",
        ),
        starter_says=r"\[no\] the running task did not finish",
        deadline=90,
    ),
)
