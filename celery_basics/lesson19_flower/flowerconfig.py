"""Lesson 19, Flower's configuration file: `celery -A tasks flower` reads flowerconfig.py from the
folder it runs in. Every name is a Flower option (the same as --address=..., --port=...).

    celery -A tasks flower        # then open http://127.0.0.1:5555 and log in as course/course
"""

import os
from urllib.parse import urlsplit

FLOWER_URL = os.environ.get("FLOWER_URL", "http://127.0.0.1:5555")
FLOWER_BASIC_AUTH = os.environ.get("FLOWER_BASIC_AUTH", "course:course")
MANAGEMENT_URL = os.environ.get("MANAGEMENT_URL", "http://course:course@127.0.0.1:15672/api/")

# 127.0.0.1 only: /metrics and /healthcheck answer without a password.
address = "127.0.0.1"
port = urlsplit(FLOWER_URL).port or 5555
# user:password for the UI and the API (Flower 2 refuses its API without credentials).
basic_auth = [FLOWER_BASIC_AUTH]
# The management API, for the Broker page and the queue lengths.
broker_api = MANAGEMENT_URL
