"""Waiting on conditions, with a deadline: the one place the harness, the exercise checkers and
the tests poll. Nothing here sleeps for a fixed time to let something happen.

- `wait_until(predicate)`: until it holds; ReadinessTimeout at the deadline, with what was awaited.
- `eventually(predicate)`: the same, as True/False, for a check.

A check that something does NOT happen needs a signal, not a wait: a consumer's prefetch_count in
the management API, or a later message that FIFO order puts behind the one that must not come
(exercise 22).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from lessons import errors


class ReadinessTimeout(errors.CourseError):
    """A condition or a line that was awaited did not come in time."""


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.1,
               what: str = "the condition") -> object:
    """Poll `predicate` until it returns something truthy (returned); raise ReadinessTimeout at
    the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise ReadinessTimeout(f"Gave up waiting for {what} after {timeout:g} s.")
        time.sleep(interval)


def eventually(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.1) -> bool:
    """True as soon as `predicate` holds, False if it still does not at the deadline (for checks)."""
    try:
        wait_until(predicate, timeout=timeout, interval=interval)
    except ReadinessTimeout:
        return False
    return True
