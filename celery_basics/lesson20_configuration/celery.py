"""Lesson 20, the app (Celery's proj/celery.py shape): settings come from a configuration module.

    celery -A celery_basics.lesson20_configuration worker --loglevel INFO
    CELERY_CONFIG_MODULE=celery_basics.lesson20_configuration.production celery -A celery_basics.lesson20_configuration worker

`celery -A celery_basics.lesson20_configuration` finds this module's `app`.
"""

import os

from celery import Celery

app = Celery("lesson20", include=["celery_basics.lesson20_configuration.tasks"])

# Which configuration: a module's dotted name, from the environment, with a default.
CONFIG_MODULE = os.environ.get("CELERY_CONFIG_MODULE", "celery_basics.lesson20_configuration.celeryconfig")
app.config_from_object(CONFIG_MODULE)
