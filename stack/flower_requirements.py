"""Print the requirements of pyproject.toml that the composed Flower needs, one a line.

    python stack/flower_requirements.py pyproject.toml > requirements.txt
"""

import re
import sys

import tomllib

WANTED = {"celery", "kombu", "flower", "redis"}

with open(sys.argv[1], "rb") as pyproject:
    for requirement in tomllib.load(pyproject)["project"]["dependencies"]:
        if re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0] in WANTED:
            print(requirement)
