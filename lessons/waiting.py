"""Waiting on conditions, with a deadline: the one place the harness, the exercise checkers and
the tests poll. Nothing here sleeps for a fixed time to let something happen.

- `wait_until(predicate)`: until it holds; ReadinessTimeout at the deadline, with what was awaited.
- `eventually(predicate)`: the same, as True/False, for a check.
- `never(predicate, window)`: a check that something does NOT happen, watched for a stated window.
  Prefer a deterministic signal where one exists (a consumer's prefetch_count in the management
  API, a later message that FIFO order puts behind the one that must not come); use this only
  where nothing can tell "not yet" from "never".
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


def never(predicate: Callable[[], object], window: float, what: str, interval: float = 0.1,
          say: Callable[[str], None] | None = print) -> bool:
    """Watch `predicate` for `window` seconds: True if it never held. Says what it watched, so a
    reader knows the fact rests on a time window."""
    deadline = time.monotonic() + window
    while time.monotonic() < deadline:
        if predicate():
            return False
        time.sleep(interval)
    if predicate():
        return False
    if say is not None:
        say(f"  (watched {window:g} s: {what} did not happen)")
    return True
