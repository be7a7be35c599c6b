"""The exercise commands of `python -m lessons` (and `make exercise-N`, `make hint-N`).

    python -m lessons exercises                    every exercise and its state
    python -m lessons exercise N [NAME]            check lesson N's exercise(s)   (make exercise-N)
    python -m lessons exercise N --solution        check the reference solution, in a temporary copy
    python -m lessons exercise N --starter         check the untouched starter, in a temporary copy
    python -m lessons exercise N --folder DIR      check the files in DIR instead of exercises/...
    python -m lessons hint N [NAME]                the next hint                  (make hint-N)
    python -m lessons exercise-reset N [NAME]      put the starter back (your version is kept as *.mine)
"""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
import textwrap
from pathlib import Path

from lessons import catalog, exercises
from lessons.exercises import progress


def cmd_list() -> int:
    found = exercises.all_exercises()
    if not found:
        print("There are no exercises yet.")
        return 0
    width = max(len(e.title) for e in found)
    done = 0
    print(f"Exercises ({progress.path().name} keeps your progress):\n")
    for exercise in found:
        state = progress.state(exercise)
        done += state == progress.DONE
        mark = {"done": "x", "failing": "!"}.get(state, " ")
        hints = progress.hints_shown(exercise)
        extra = f", {hints} of {len(exercise.hints)} hints seen" if hints else ""
        print(f"  [{mark}] {exercise.key:>4}  {exercise.title:<{width}}  {state}{extra}")
    lessons_without = [lesson.number for lesson in catalog.LESSONS if not exercises.count(lesson)]
    print(f"\n{done} of {len(found)} done. Check one with 'make exercise-N', get a hint with 'make hint-N', "
          "start one over with 'python -m lessons exercise-reset N'.")
    if lessons_without:
        print(f"(No exercise yet for lesson{'s' if len(lessons_without) > 1 else ''} "
              f"{', '.join(map(str, lessons_without))}.)")
    return 0


def _prepare_copy(exercise, target: Path, solution: bool) -> None:
    """The exercise folder as the course ships it (the pristine starter), with the reference
    solution over it when `solution`: never the learner's files, never in place."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(exercise.starter, target, ignore=ignore)
    if solution:
        shutil.copytree(exercise.solution, target, dirs_exist_ok=True, ignore=ignore)
    modules = exercise.folder / "node_modules"
    if modules.is_dir():  # npm packages the learner installed: link them, do not copy
        (target / "node_modules").symlink_to(modules)


def cmd_check(number: str, name: str | None = None, *, folder: str | None = None,
              solution: bool = False, starter: bool = False) -> int:
    from lessons import services

    chosen = exercises.select(number, name)
    lesson = chosen[0].lesson
    if not services.ready(lesson.services):
        return 1
    failed = 0
    for exercise in chosen:
        if solution or starter:
            with tempfile.TemporaryDirectory(prefix=f"{exercise.prefix}-") as temporary:
                copy = Path(temporary) / exercise.folder.name
                _prepare_copy(exercise, copy, solution)
                which = "the reference solution" if solution else "the untouched starter"
                print(f"(Checking {which} of exercise {exercise.key}, in a temporary copy.)", flush=True)
                passed, code = run_check(exercise, copy)
        else:
            where = Path(folder).resolve() if folder else exercise.folder
            if not where.is_dir():
                print(f"There is no folder {where}.", file=sys.stderr)
                return 2
            passed, code = run_check(exercise, where)
            if folder is None and code != 130:
                progress.record_check(exercise, passed)
        if code == 130:
            return 130
        failed += not passed
    if len(chosen) > 1:
        print(f"\nLesson {lesson.number}: {len(chosen) - failed} of {len(chosen)} exercises pass "
              f"({', '.join(e.key for e in chosen)}).")
    return 1 if failed else 0


def run_check(exercise, folder: Path) -> tuple[bool, int]:
    """Run one exercise's checker on the files in `folder`; (passed, exit code)."""
    from lessons.exercises.checking import Check, CheckStopped, CheckTimedOut, describe_error

    def on_alarm(signum, frame):
        raise CheckTimedOut

    with Check(exercise, folder) as ck:
        ck.say(f"Your files: {exercise.files_text} in {_relative(folder)}/\n"
               f"Broker: {_broker_label()}; the check ends within {exercise.deadline:g} s.")
        previous = signal.signal(signal.SIGALRM, on_alarm)
        try:
            left = ck.clean_broker()
            if left:
                ck.say(f"(Starting fresh: removed {', '.join(left)}, left by an earlier run.)")
            ck.cleanup(ck.clean_broker, always=True)
            ck.cleanup(ck.clean_redis, always=True)
            ck.cleanup(ck.close, always=True)
            signal.setitimer(signal.ITIMER_REAL, exercise.deadline)
            exercise.check(ck)
        except CheckStopped:
            pass
        except CheckTimedOut:
            ck.timed_out = True
            ck.expect(False, "", f"The check did not end within its deadline of {exercise.deadline:g} s, "
                                 "so it stopped everything it had started. Is one of your programs waiting "
                                 "for something that never comes?")
        except KeyboardInterrupt:
            ck.interrupted = True
        except Exception as exc:
            from lessons import errors

            if errors.explain(exc) is None and not isinstance(exc, errors.CourseError):
                raise  # a defect in the checker: its traceback, after the clean-up
            ck.expect(False, "", f"The check could not go on: {describe_error(exc)}")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return ck.passed, ck.exit_code


def _broker_label() -> str:
    from lessons import settings

    return settings.redact(settings.AMQP_URL)


def cmd_hint(number: str, name: str | None = None) -> int:
    chosen = exercises.select(number, name)
    if name is None:  # the first exercise of the lesson that is not done yet
        open_ = [e for e in chosen if progress.state(e) != progress.DONE]
        chosen = open_ or chosen
    exercise = chosen[0]
    index = progress.next_hint(exercise)
    total = len(exercise.hints)
    print(f"Exercise {exercise.key}: {exercise.title}")
    print(f"Hint {index + 1} of {total}:\n")
    for line in textwrap.dedent(exercise.hints[index]).strip("\n").splitlines():
        # Prose is wrapped; code (indented lines) is printed as it is.
        print("  " + line if line[:1].isspace() else textwrap.fill(line, width=96, initial_indent="  ",
                                                                  subsequent_indent="  "))
    if index + 1 < total:
        print(f"\n('make hint-{exercise.lesson.number}' again for a more specific one.)")
    else:
        print(f"\n(That was the last hint. The task: {_relative(exercise.folder / 'README.md')}; "
              f"check with 'make exercise-{exercise.lesson.number}'.)")
    return 0


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(catalog.ROOT))
    except ValueError:
        return str(path)


def cmd_reset(number: str, name: str | None = None) -> int:
    from lessons.exercises import pristine

    chosen = exercises.select(number, name)
    if not pristine.from_git():
        print("exercise-reset takes the starter from git, and this copy of the course is not a git "
              "clone: clone the course (git clone ...) to be able to start an exercise over.", file=sys.stderr)
        return 1
    lesson_files = {f for e in exercises.for_lesson(chosen[0].lesson) for f in e.files}
    for exercise in chosen:
        # Its own files, and the files no exercise owns (a tasks.py the checker runs, ...).
        shipped = [p.relative_to(exercise.starter).as_posix() for p in sorted(exercise.starter.rglob("*"))
                   if p.is_file() and "__pycache__" not in p.parts]
        files = [f for f in shipped if f in exercise.files or f not in lesson_files]
        kept = []
        for file in files:
            mine, pristine = exercise.folder / file, exercise.starter / file
            if mine.exists() and mine.read_bytes() != pristine.read_bytes():
                backup = mine.with_name(mine.name + ".mine")
                shutil.copy2(mine, backup)
                kept.append(_relative(backup))
            mine.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pristine, mine)
        progress.forget(exercise)
        print(f"Exercise {exercise.key} is back to its starter ({', '.join(exercise.files)}).")
        if kept:
            print(f"  Your version was kept beside it: {', '.join(kept)}.")
    return 0
