"""Unit tests: call the task's function directly. No broker, no worker, no serialization."""

import pytest

from tasks import ServiceDown, add, flaky, word_lengths


def test_add():
    assert add(2, 3) == 5  # calling the task runs its function, here


def test_word_lengths():
    assert word_lengths("the cat sat on a mat") == {3: 4, 2: 1, 1: 1}


def test_flaky_called_directly_raises_instead_of_retrying():
    # Outside a worker, self.retry() raises the exception it was given: the retry itself
    # (a new message, a countdown) needs a broker and a worker.
    with pytest.raises(ServiceDown):
        flaky(1)
