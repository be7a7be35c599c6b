"""The learner's progress: which exercises pass, which fail, how many hints were shown.

Kept in .course-progress.json at the repository's root (git-ignored: it is the learner's, not the
course's); COURSE_PROGRESS_FILE names another file. A missing or damaged file is an empty
progress, never an error.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from lessons import catalog

NOT_STARTED, EDITED, FAILING, DONE = "not started", "edited, not checked", "failing", "done"


def path() -> Path:
    return Path(os.environ.get("COURSE_PROGRESS_FILE") or catalog.ROOT / ".course-progress.json")


def load() -> dict:
    try:
        data = json.loads(path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("exercises", {}) if isinstance(data, dict) else {}


def _save(records: dict) -> None:
    target = path()
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(json.dumps({"version": 1, "exercises": records}, indent=2, sort_keys=True) + "\n",
                         encoding="utf-8")
    temporary.replace(target)  # never a half-written file, even on Ctrl+C


def _update(key: str, **changes) -> dict:
    records = load()
    record = {**records.get(key, {}), **changes}
    records[key] = record
    _save(records)
    return record


def record_check(exercise, passed: bool) -> None:
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    changes = {"state": DONE if passed else FAILING, "checked": now}
    if passed and not load().get(exercise.progress_key, {}).get("done_at"):
        changes["done_at"] = now
    _update(exercise.progress_key, **changes)


def next_hint(exercise) -> int:
    """The index of the hint to show now (repeats the last one when all were shown); remembers it."""
    shown = int(load().get(exercise.progress_key, {}).get("hints", 0))
    index = min(shown, len(exercise.hints) - 1)
    _update(exercise.progress_key, hints=min(shown + 1, len(exercise.hints)))
    return index


def forget(exercise) -> None:
    records = load()
    if records.pop(exercise.progress_key, None) is not None:
        _save(records)


def state(exercise) -> str:
    """done or failing (the last check), else edited or not started (the files themselves)."""
    recorded = load().get(exercise.progress_key, {}).get("state")
    if recorded in (DONE, FAILING):
        return recorded
    return EDITED if exercise.edited() else NOT_STARTED


def hints_shown(exercise) -> int:
    return int(load().get(exercise.progress_key, {}).get("hints", 0))
