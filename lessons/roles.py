"""`run_role(main)`, for role files not yet converted to the launcher (lesson 23).

Role files end in `if __name__ == "__main__": main()`; the harness wraps them from outside
(lessons/launch.py). This module goes once no role file calls it.
"""

from __future__ import annotations

from collections.abc import Callable

from lessons.launch import prepare, run_guarded


def run_role(main: Callable[[], int | None]) -> None:
    """Run a role's main() with the launcher's manners; exit with its code."""
    prepare()
    run_guarded(main)
