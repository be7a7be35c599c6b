"""The Celery app of the Django project, as in Celery's Django guide.

    celery -A proj worker --loglevel INFO        (in the project's folder, beside manage.py)
"""

import os

from celery import Celery

# The worker is not started by Django, so tell Celery where Django's settings are.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")

app = Celery("proj")

# Every Django setting that starts with CELERY_ configures Celery: CELERY_BROKER_URL is broker_url.
app.config_from_object("django.conf:settings", namespace="CELERY")

# Import tasks.py from every app in INSTALLED_APPS (here: orders/tasks.py).
app.autodiscover_tasks()
