"""Lesson 24: fill in the service files (supervisord.conf, the systemd units) for this machine.

    python render.py /tmp/lesson24                      # writes the files there
    supervisord -n -c /tmp/lesson24/supervisord.conf    # then, in the foreground

The templates sit next to this file with @NAMES@ where a path or URL goes: @FOLDER@ (logs, pid
file, socket, beat's schedule), @PROJECT@ (this folder, where `celery -A tasks` finds tasks.py), @CELERY@
(the celery program) and the broker and backend URLs, read from the environment.
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

HERE = Path(__file__).resolve().parent
PROJECT = HERE  # the services' working directory: `celery -A tasks` imports tasks.py from there
TEMPLATES = ("supervisord.conf", "celery-worker.service", "celery-beat.service")


def celery_program():
    """The celery program of this Python (the virtualenv's), as an absolute path."""
    beside_python = Path(sys.executable).parent / "celery"
    return str(beside_python if beside_python.exists() else shutil.which("celery") or "celery")


def render(folder, amqp_url=AMQP_URL, redis_url=REDIS_URL):
    """Write the filled-in files into `folder`; return their paths."""
    folder = Path(folder).resolve()
    (folder / "conf.d").mkdir(parents=True, exist_ok=True)
    values = {"@FOLDER@": str(folder), "@PROJECT@": str(PROJECT), "@CELERY@": celery_program(),
              "@AMQP_URL@": amqp_url, "@REDIS_URL@": redis_url}
    written = []
    for name in TEMPLATES:
        text = (HERE / name).read_text()
        for key, value in values.items():
            if name == "supervisord.conf" and "URL" in key:
                value = value.replace("%", "%%")  # supervisord reads % as its own: %2F -> %%2F
            text = text.replace(key, value)
        (folder / name).write_text(text)
        written.append(folder / name)
    # The systemd units read the URLs from an environment file: no escaping there.
    env_file = folder / "celery.env"
    env_file.write_text(f"AMQP_URL={amqp_url}\nREDIS_URL={redis_url}\n")
    env_file.chmod(0o600)  # it holds the broker's password
    written.append(env_file)
    return written


def main(argv=None):
    default = Path(tempfile.gettempdir()) / "lesson24-services"
    parser = argparse.ArgumentParser(description="Fill in lesson 24's service files for this machine.")
    parser.add_argument("folder", nargs="?", default=str(default), help=f"where to write them (default: {default})")
    args = parser.parse_args(argv)
    for path in render(args.folder):
        print(f" [x] Wrote {path}")
    conf = Path(args.folder).resolve() / "supervisord.conf"
    print(f" [*] Start the services:  supervisord -n -c {conf}")
    print(f" [*] Look at them:        supervisorctl -c {conf} status")


if __name__ == "__main__":
    main()
