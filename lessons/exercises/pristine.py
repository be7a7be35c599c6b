"""The pristine starter of an exercise: `exercises/<lesson>/` as the course's git history has it.

There is one copy of each starter, in `exercises/`, where a learner finds and edits it. What the
learner changed is the difference between that folder and the last commit, so the untouched
starter is the committed one: `exercise-reset` puts it back from there and `--starter` checks it.
It is read with `git archive HEAD` into a folder under the temporary directory, once per commit.
In a copy of the course that is not a git clone (or for files not committed yet, while an author
writes a new exercise), the folder in `exercises/` is the starter itself.
"""

from __future__ import annotations

import atexit
import functools
import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from lessons import catalog

REPOSITORY = catalog.ROOT
TRACKED = REPOSITORY / "exercises"
IGNORED = ("README.md", "__pycache__", "*.mine", "node_modules")


def _git(*args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", "-C", str(REPOSITORY), *args], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None


def head() -> str | None:
    """The commit the course is checked out at, or None outside a git clone."""
    result = _git("rev-parse", "--verify", "-q", "HEAD")
    return result.stdout.decode().strip() if result and result.returncode == 0 else None


@functools.cache
def committed(folder_name: str) -> Path | None:
    """`exercises/<folder_name>/` as HEAD has it, extracted once into the temporary directory;
    None when git cannot give it."""
    commit = head()
    if commit is None:
        return None
    cache = Path(tempfile.gettempdir()) / "course-starters" / commit[:12]
    target = cache / folder_name
    if target.is_dir():
        return target
    archive = _git("archive", "--format=tar", commit, f"exercises/{folder_name}")
    if archive is None or archive.returncode != 0:
        return None  # not committed yet
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder_name}-", dir=cache))
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+ / 3.11.4+
            tar.extractall(scratch, filter="data")
        else:
            tar.extractall(scratch)  # our own repository's files
    extracted = scratch / "exercises" / folder_name
    for name in IGNORED:
        for path in extracted.glob(name):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    try:
        extracted.rename(target)  # several processes may extract at once: the first one wins
    except OSError:
        pass
    shutil.rmtree(scratch, ignore_errors=True)
    return target


@functools.cache
def starter(folder_name: str) -> Path:
    """The folder that holds the exercise's untouched starter files (README.md left out)."""
    found = committed(folder_name)
    if found is not None:
        return found
    # Not a git clone: the shipped folder is the starter (a learner's edits cannot be told apart).
    cache = Path(tempfile.mkdtemp(prefix=f"course-starter-{folder_name}-"))
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    shutil.copytree(TRACKED / folder_name, cache / folder_name, ignore=shutil.ignore_patterns(*IGNORED))
    return cache / folder_name


def from_git() -> bool:
    """True when the starters come from git (so exercise-reset can undo a learner's edits)."""
    return head() is not None
