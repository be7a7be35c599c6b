"""Lesson 20, the development configuration: what you run on your own machine.

Every module-level name in lower case is a Celery setting. Load it with
app.config_from_object("celery_basics.lesson20_configuration.celeryconfig").
"""

import os

from lessons import settings  # import the module, not its names: see README, Pitfalls

broker_url = settings.AMQP_URL
result_backend = settings.REDIS_URL
broker_connection_retry_on_startup = True
task_default_queue = "lesson20_configuration"  # this lesson's own queue

# Overrides from the environment, with the defaults used when a variable is not set.
worker_concurrency = int(os.environ.get("CELERY_WORKER_CONCURRENCY", "2"))
worker_prefetch_multiplier = int(os.environ.get("CELERY_WORKER_PREFETCH_MULTIPLIER", "4"))
