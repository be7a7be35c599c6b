"""python -m lessons: list the lessons, run one (or one of its roles), check the stack.

Kept light on imports so `list` answers at once; pika, Celery and friends load only when a
lesson runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import subprocess
import sys
import time

from lessons import catalog
from lessons.exercises import UnknownExercise


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lessons",
        description="The task queues course: run lessons and check the stack.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("list", help="list the lessons")
    run = sub.add_parser("run", help="run a lesson's demo, or one of its roles with --role",
                         description="Run lesson N's demo, or one role of it in the foreground. "
                                     "Arguments after -- go to the demo or the role, e.g. "
                                     "'run 2 --role worker -- --prefetch 1'.")
    run.add_argument("number", nargs="?", help="the lesson's number (see 'list')")
    run.add_argument("--role", help="run only this role, in the foreground (for several terminals)")
    run.add_argument("--all", action="store_true", help="run every lesson's demo, one after another")
    run.add_argument("--timings", action="store_true", help="with --all: print each lesson's wall time")
    sub.add_parser("doctor", help="say which services of the stack are up, and how to fix the others")
    course_map = sub.add_parser("course-map", help="print the README's course map (from the catalog)")
    course_map.add_argument("--write", action="store_true",
                            help="rewrite the table in README.md (and the Persian one in README.fa.md)")
    _exercise_parsers(sub)
    return parser


def _exercise_parsers(sub) -> None:
    sub.add_parser("exercises", help="list the exercises and your progress")
    check = sub.add_parser("exercise", help="check your exercise of lesson N (make exercise-N)",
                           description="Run the checker of lesson N's exercise(s) on your files in exercises/.")
    check.add_argument("number", help="the lesson's number")
    check.add_argument("name", nargs="?", help="only this exercise of the lesson (its name or key, e.g. 8b)")
    which = check.add_mutually_exclusive_group()
    which.add_argument("--folder", help="check the files in this folder instead (progress is not recorded)")
    which.add_argument("--solution", action="store_true",
                       help="check the reference solution, in a temporary copy (for instructors and CI)")
    which.add_argument("--starter", action="store_true",
                       help="check the untouched starter, in a temporary copy (it should fail)")
    for command, text in (("hint", "the next hint for lesson N's exercise (make hint-N)"),
                          ("exercise-reset", "put lesson N's exercise back to its starter")):
        parser = sub.add_parser(command, help=text)
        parser.add_argument("number", help="the lesson's number")
        parser.add_argument("name", nargs="?", help="only this exercise of the lesson")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:  # everything after -- belongs to the demo or the role
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            return cmd_list()
        if args.command == "doctor":
            return cmd_doctor()
        if args.command == "course-map":
            return cmd_course_map(args.write)
        if args.command in ("exercises", "exercise", "hint", "exercise-reset"):
            return _exercise_command(args)
        if args.command == "run":
            if args.all:
                return cmd_run_all(args.timings)
            if args.number is None:
                parser.error("say which lesson to run: 'run N' (or 'run --all')")
            return cmd_run(args.number, args.role, extra)
        parser.print_help()
        return 0
    except (catalog.UnknownLesson, UnknownExercise) as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped reading (`python -m lessons list | head -3`): end quietly.
        from lessons.console import silence_stdout

        silence_stdout()
        return 0


def _exercise_command(args) -> int:
    from lessons.exercises import commands

    if args.command == "exercises":
        return commands.cmd_list()
    if args.command == "hint":
        return commands.cmd_hint(args.number, args.name)
    if args.command == "exercise-reset":
        return commands.cmd_reset(args.number, args.name)
    return commands.cmd_check(args.number, args.name, folder=args.folder, solution=args.solution,
                              starter=args.starter)


def cmd_list() -> int:
    width = max(len(lesson.title) for lesson in catalog.LESSONS)
    part = None
    for lesson in catalog.LESSONS:
        if lesson.part != part:
            part = lesson.part
            print(f"\n{part}/")
        print(f"  {lesson.number:>2}  {lesson.title:<{width}}  {lesson.summary}")
    print("\nRun one with 'make lesson-N' (or 'python -m lessons run N').")
    return 0


def role_argv(lesson: catalog.Lesson, role: str, extra: list[str]) -> tuple[list[str], str]:
    """How the harness runs a role (through the launcher), and what a learner would type for it
    in the lesson's folder."""
    from lessons.launch import role_file
    from lessons.processes import launch_argv

    command = lesson.command(role)
    if command is not None:
        return launch_argv(*command, *extra), shlex.join([*command, *extra])
    module = lesson.role_module(role)
    path = role_file(module)
    typed = shlex.join(["python", path.name if path else f"{role}.py", *extra])
    return launch_argv(module, *extra), typed


def cmd_run(number: str, role: str | None, extra: list[str]) -> int:
    lesson = catalog.get(number)
    if role is not None and role not in lesson.role_names:
        valid = ", ".join(lesson.role_names)
        print(f"Lesson {lesson.number} has no role '{role}'. Its roles are: {valid}.", file=sys.stderr)
        return 2
    from lessons import services

    if not services.ready(lesson.services):
        return 1
    if role is not None:
        argv, typed = role_argv(lesson, role, extra)
        where = lesson.folder.relative_to(catalog.ROOT).as_posix()
        print(f"Lesson {lesson.number}, role {role}: {typed}   (in {where}/)", flush=True)
        env = dict(os.environ)
        if (lesson.command(role) or [None])[0] == "celery":
            from lessons.broker import celery_env

            env.update(celery_env())
        # The role runs in the lesson's folder, as the learner runs it there.
        os.chdir(lesson.folder)
        os.execve(argv[0], argv, env)
    # The lesson's folder first on sys.path, as for its roles: its modules import each other
    # by their plain names (tasks.py, ...).
    sys.path.insert(0, str(lesson.folder))
    demo = importlib.import_module(lesson.demo_module)
    return demo.main(extra)


def cmd_run_all(timings: bool) -> int:
    rows, failed = [], 0
    for lesson in catalog.LESSONS:
        print(f"Lesson {lesson.number:>2}: {lesson.title} ...", end=" ", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "lessons", "run", str(lesson.number)],
                                capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
        elapsed = time.monotonic() - started
        ok = result.returncode == 0
        failed += not ok
        print(f"{'ok' if ok else 'FAILED'} ({elapsed:.1f} s)", flush=True)
        if not ok:
            tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
            print("\n".join(f"    {line}" for line in tail))
        rows.append((lesson, elapsed, ok))
    if timings:
        print("\nlesson  seconds  result  title")
        for lesson, elapsed, ok in rows:
            print(f"{lesson.number:>6}  {elapsed:>7.1f}  {'ok' if ok else 'FAILED':<6}  {lesson.title}")
        print(f"{'total':>6}  {sum(e for _, e, _ in rows):>7.1f}")
    return 1 if failed else 0


def cmd_doctor() -> int:
    from lessons import services as checks

    statuses = checks.check(checks.ALL)
    print("The stack, as the lessons see it:\n")
    for status in statuses:
        print("  " + status.line().replace("\n", "\n  "))
    required_down = [s for s in statuses if not s.up and s.service != checks.FLOWER]
    print()
    if required_down:
        print("Some services are down. With Docker, 'make up' starts them all; without it, see the "
              "README's 'Without Docker' section.")
        return 1
    print("RabbitMQ, its management API and Redis are up: every lesson can run.")
    return 0


def cmd_course_map(write: bool) -> int:
    from lessons import catalog_fa, course_map

    if not write:
        print(course_map.ENGLISH.table())
        return 0
    missing = [lesson.number for lesson in catalog.LESSONS if lesson.number not in catalog_fa.LESSONS_FA]
    if missing:
        print(f"lessons/catalog_fa.py has no Persian title and summary for lesson(s) {missing}.", file=sys.stderr)
        return 1
    for table in (course_map.ENGLISH, course_map.PERSIAN):
        try:
            print(table.write())
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 1
    return 0
