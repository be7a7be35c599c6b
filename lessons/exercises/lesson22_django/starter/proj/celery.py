"""The Celery app of the Django project, as in Celery's Django guide (given).

    celery -A proj worker --loglevel INFO        (in this folder, beside manage.py)
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")

app = Celery("proj")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
