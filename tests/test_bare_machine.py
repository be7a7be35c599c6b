"""`make lesson-1` as the first command on a machine whose local RabbitMQ has no course user yet:
the harness does what `make up` does (scripts/local-stack.sh), then runs the lesson.

The course user of this test is one of its own (RABBITMQ_USER, as local-stack.sh and the compose
file read it), so the machine's `course` user, which other runs use, is never removed."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest
from helpers import assert_clean_run, run_lesson

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("rabbitmqctl") is None,
    reason="needs a local RabbitMQ that this user may administer (root); CI has one",
)


def test_first_lesson_creates_the_missing_user_as_make_up_would():
    user, password = f"bare-{uuid.uuid4().hex[:6]}", "bare-password"
    env = {
        "RABBITMQ_USER": user, "RABBITMQ_PASSWORD": password,
        "AMQP_URL": f"amqp://{user}:{password}@127.0.0.1:5672/%2F",
        "MANAGEMENT_URL": f"http://{user}:{password}@127.0.0.1:15672/api/",
    }
    try:
        result = run_lesson(1, env=env, timeout=120)
        out = assert_clean_run(result)
        assert "Setting up the local RabbitMQ and Redis as 'make up' does" in out
        assert f"RabbitMQ user '{user}' is ready" in out
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_user", user], capture_output=True, timeout=30)


def test_a_wrong_password_is_not_mistaken_for_a_bare_machine():
    env = {"AMQP_URL": "amqp://course:not-the-password@127.0.0.1:5672/%2F"}
    result = run_lesson(1, env=env, timeout=60)
    assert result.returncode == 1
    assert "Setting up the local RabbitMQ" not in result.stdout
    assert "refused the credentials" in result.stdout
