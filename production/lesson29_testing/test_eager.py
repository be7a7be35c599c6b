"""task_always_eager: .delay() runs the task at once, in this process. Everything passes, and
that is the trap: no message is made, so no JSON, no route, no queue, no worker is involved."""

import pytest

from tasks import app, send_welcome, word_lengths


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_word_lengths_eagerly(eager):
    assert word_lengths.delay("the cat sat on a mat").get() == {3: 4, 2: 1, 1: 1}


def test_welcome_mail_eagerly(eager):
    assert send_welcome.delay("ada@example.com").get() == "welcome mail sent to ada@example.com"
