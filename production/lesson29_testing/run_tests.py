"""Run this folder's tests with pytest, as `pytest -v -rxX ARGS` would.

    python run_tests.py                    every test (a broker, Redis and the course's user needed)
    python run_tests.py test_unit.py       one file
    python run_tests.py -k eager           the tests whose names contain "eager"
"""

import sys

import pytest


def main():
    # -v: one line per test; -rxX: the reasons of expected failures (xfail) and surprises (xpass)
    return pytest.main(["-v", "-rxX", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
