"""A minimal Django project for exercise 22 (given): one app (orders), SQLite, a JSON API.

The database file is EXERCISE22_DATABASE, by default <tmp>/course-exercise22/db.sqlite3.
"""

import os
import tempfile
from pathlib import Path

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

SECRET_KEY = "exercise-22-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["orders"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "proj.urls"

DATABASE_FILE = Path(os.environ.get("EXERCISE22_DATABASE")
                     or Path(tempfile.gettempdir(), "course-exercise22", "db.sqlite3"))
DATABASE_FILE.parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATABASE_FILE}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

CELERY_BROKER_URL = AMQP_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "exercise22"
CELERY_RESULT_EXPIRES = 3600
