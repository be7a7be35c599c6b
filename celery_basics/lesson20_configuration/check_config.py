"""Lesson 20, check a configuration module before a worker uses it.

    python check_config.py                 # the default one, celeryconfig.py
    python check_config.py production
    python check_config.py misspelled      # finds the typo

Celery silently ignores a lower-case name it does not know; this asks Celery's own table of
settings (app.conf.find_option) about every name, and suggests the setting you meant.
"""

import argparse
import difflib
import importlib
import sys
import types

from celery import Celery
from celery.app.defaults import DEFAULTS
from kombu.utils.url import maybe_sanitize_url  # hides the password of a URL, if any


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check the setting names of a configuration module.")
    parser.add_argument("config", nargs="?", default="celeryconfig",
                        help="a module's dotted name (celeryconfig, production, misspelled)")
    args = parser.parse_args(argv)
    name = args.config

    app = Celery("check")
    app.config_from_object(name)
    try:
        # app.conf loads the module on first use: here.
        print(f" [*] {name}: broker {maybe_sanitize_url(app.conf.broker_url)}")
    except ImportError as exc:
        print(f" [!] Celery: {exc!r}")
        print(f" [!] The configuration module {name!r} cannot be imported. Check its name (and "
              "CELERY_CONFIG_MODULE, if you set it): a dotted module path on sys.path.")
        return 1

    module = importlib.import_module(name)
    unknown = 0
    for setting in sorted(key for key in vars(module) if key.islower() and not key.startswith("_")):
        value = getattr(module, setting)
        if isinstance(value, types.ModuleType):
            continue  # imports such as os
        try:
            app.conf.find_option(setting)  # Celery's table of settings: KeyError if unknown
            print(f" [.] {setting} = {maybe_sanitize_url(value) if isinstance(value, str) else value!r}")
        except KeyError as exc:
            unknown += 1
            guess = difflib.get_close_matches(setting, DEFAULTS, n=1)
            print(f" [!] Celery: KeyError({exc}) for {setting!r}")
            print(f" [!] {setting!r} is not a Celery setting, so Celery ignores it"
                  + (f": did you mean {guess[0]!r} (default {DEFAULTS[guess[0]]!r})?" if guess else "."))
    if unknown:
        return 1
    print(f" [x] {name}: every name is a Celery setting")


if __name__ == "__main__":
    sys.exit(main())
