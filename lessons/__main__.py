import sys

from lessons.cli import main

code = main()
try:
    sys.stdout.flush()
except BrokenPipeError:  # the reader went away: nothing more to say
    from lessons.console import silence_stdout

    silence_stdout()
sys.exit(code)
