#!/usr/bin/env python
"""Exercise 22, Django's command-line utility (given).

    python manage.py migrate
    python manage.py runserver 127.0.0.1:8022
"""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
