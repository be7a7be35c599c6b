"""What the harness prints: one thread-safe line at a time, coloured by rich on a terminal only.

rich decides whether colour is on (a terminal, no NO_COLOR, no TERM=dumb). A reader that stops
reading (`python -m lessons run 1 | head -3`) ends the output quietly: the rest goes to
/dev/null, and a demo still stops everything it started.
"""

from __future__ import annotations

import os
import sys
import threading

from rich.console import Console
from rich.text import Text

# Role prefixes take these colours in turn.
COLOURS = ("cyan", "yellow", "magenta", "green", "blue", "bright_red", "bright_cyan", "bright_yellow")

_lock = threading.Lock()


def _console(colour: bool) -> Console:
    # No markup, highlighting or emoji: role output such as " [x] Sent" is text, not rich markup.
    # soft_wrap: long lines are never cut or wrapped. file=None: whatever sys.stdout is now.
    return Console(highlight=False, markup=False, emoji=False, soft_wrap=True,
                   force_terminal=True if colour else None, color_system="standard" if colour else None,
                   no_color=False if colour else None)


_plain, _coloured = _console(False), _console(True)


def use_colour() -> bool:
    """rich's own answer: colour on a terminal, never with NO_COLOR (or TERM=dumb)."""
    console = Console()
    return console.is_terminal and not console.no_color and console.color_system is not None


def silence_stdout() -> None:
    """The reader went away: send the rest of the output to /dev/null (no BrokenPipeError)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _print(renderable, colour: bool) -> None:
    with _lock:
        try:
            console = _coloured if colour else _plain
            console.print(renderable)
            console.file.flush()
        except BrokenPipeError:
            silence_stdout()


def emit(text: str | Text = "") -> None:
    """Print one line for the learner; safe from any thread."""
    _print(text, colour=isinstance(text, Text) and bool(text.spans or text.style))


def prefixed(name: str, line: str, colour: str | None) -> Text:
    """`    worker | line`, the prefix in the role's colour when it has one."""
    text = Text()
    text.append(f"{name:>10} |", style=colour or "")
    text.append(f" {line}")
    return text


def print_table(table, colour: bool) -> None:
    """A rich Table, printed whole (no role's line lands in the middle of it)."""
    _print(table, colour)
