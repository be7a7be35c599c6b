"""Lesson 22, Django's manage.py (run it as a module from the repository's root).

    python -m celery_basics.lesson22_django.manage migrate
    python -m celery_basics.lesson22_django.manage runserver 127.0.0.1:8022
"""

import os
import sys

from lessons.roles import run_role


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "celery_basics.lesson22_django.proj.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    run_role(main)
