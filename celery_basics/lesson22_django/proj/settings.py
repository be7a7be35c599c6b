"""A minimal Django project for lesson 22: one app (orders), SQLite, no templates.

Django's database lives in a temporary folder, never in the repository: LESSON22_DATABASE names
the file (the demo points it at a fresh folder); by default it is <tmp>/course-lesson22/db.sqlite3.
"""

import os
import tempfile
from pathlib import Path

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

SECRET_KEY = "lesson-22-not-a-secret"  # a real project reads it from the environment
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = ["orders"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]  # a JSON API: no sessions, no CSRF
ROOT_URLCONF = "proj.urls"

DATABASE_FILE = Path(os.environ.get("LESSON22_DATABASE")
                     or Path(tempfile.gettempdir(), "course-lesson22", "db.sqlite3"))
DATABASE_FILE.parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATABASE_FILE}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

# Celery, read by config_from_object("django.conf:settings", namespace="CELERY").
CELERY_BROKER_URL = AMQP_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "lesson22_django"  # the lesson's own queue
CELERY_RESULT_EXPIRES = 3600
