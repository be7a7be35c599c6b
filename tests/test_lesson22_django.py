"""Lesson 22 end to end: the demo, then the project by hand (migrate, runserver over HTTP)."""

import re
import subprocess
from pathlib import Path

import requests
from helpers import assert_clean_run, free_port, lesson_processes, run_lesson, start_role

from lessons import broker

ROOT = Path(__file__).resolve().parent.parent
LESSON = "celery_basics.lesson22_django"


def untracked_in_lesson() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--ignored", "--", "celery_basics/lesson22_django"],
                          cwd=ROOT, capture_output=True, text=True).stdout


def test_demo_tells_and_checks_the_story(management):
    before = untracked_in_lesson()
    out = assert_clean_run(run_lesson(22))
    assert "Applying orders.0001_initial... OK" in out
    assert ". orders.tasks.confirm_order" in out
    assert "raised expected: DoesNotExist('Order matching query does not exist.')" in out
    assert "-> 402 {'error': 'payment declined: no order was made'}" in out
    assert out.count("confirm_order[") >= 6  # 3 received + 2 succeeded + 1 failed
    # The database lived in a temporary folder that is gone now; nothing was written into the repo.
    folder = re.search(r"orders_order exists in (\S+)/db\.sqlite3", out).group(1)
    assert not folder.startswith(str(ROOT)) and not Path(folder).exists()
    assert [p for p in untracked_in_lesson().splitlines() if "sqlite" in p] == []
    assert untracked_in_lesson() == before
    assert management.queue("lesson22_django") is None
    assert lesson_processes("lesson22_django") == []


def test_by_hand_migrate_and_runserver_over_http(tmp_path):
    env = {"LESSON22_DATABASE": str(tmp_path / "db.sqlite3")}
    migrated = run_lesson(22, "migrate", role="manage", env=env)
    assert migrated.returncode == 0 and "Applying orders.0001_initial... OK" in migrated.stdout
    assert (tmp_path / "db.sqlite3").exists()

    port = free_port()
    server = start_role(22, "manage", "runserver", "--noreload", f"127.0.0.1:{port}", env=env)
    try:
        server.wait_for(r"Quit the server with", timeout=20)
        base = f"http://127.0.0.1:{port}"
        # No worker runs: the order is committed, its task waits in the queue.
        made = requests.post(f"{base}/orders/", json={"item": "mug", "quantity": 4}, timeout=5)
        assert made.status_code == 201, made.text
        assert made.json() == {"id": 1, "item": "mug", "quantity": 4, "status": "new", "task": None}
        assert requests.get(f"{base}/orders/1/", timeout=5).json()["status"] == "new"
        assert broker.queue_depth("lesson22_django") == 1  # sent on commit, nobody consumed it
        # Bad input answers JSON, never Django's HTML error page.
        missing = requests.get(f"{base}/orders/42/", timeout=5)
        assert missing.status_code == 404 and missing.json() == {"error": "no order 42"}
        bad = requests.post(f"{base}/orders/", data="quantity=1", timeout=5)
        assert bad.status_code == 400 and "error" in bad.json()
        declined = requests.post(f"{base}/orders/", json={"item": "car", "quantity": 1, "card": "declined"}, timeout=5)
        assert declined.status_code == 402
        assert broker.queue_depth("lesson22_django") == 1  # the rolled-back order sent nothing
    finally:
        server.stop()
        broker.delete_queues("lesson22_django")
        broker.delete_exchanges("lesson22_django")
    assert lesson_processes("lesson22_django") == []
