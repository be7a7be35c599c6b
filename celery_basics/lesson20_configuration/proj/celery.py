"""Lesson 20, the app (Celery's proj/celery.py shape): settings come from a configuration module.

    celery -A proj worker --loglevel INFO
    CELERY_CONFIG_MODULE=production celery -A proj worker --loglevel INFO

`celery -A proj` finds this module's `app`. Run it in the lesson's folder: the configuration
modules (celeryconfig.py, production.py) sit there, beside proj/.
"""

import os

from celery import Celery

app = Celery("lesson20", include=["proj.tasks"])

# Which configuration: a module's dotted name, from the environment, with a default.
CONFIG_MODULE = os.environ.get("CELERY_CONFIG_MODULE", "celeryconfig")
app.config_from_object(CONFIG_MODULE)
