"""Lesson 20, the development configuration: what you run on your own machine.

Every module-level name in lower case is a Celery setting. Load it with
app.config_from_object("celeryconfig").
"""

import os

# Straight into the settings, not into names of their own: every public name of this module
# is published by `celery inspect conf`, and Celery masks the password only in its settings.
broker_url = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
result_backend = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
broker_connection_retry_on_startup = True
task_default_queue = "lesson20_configuration"  # this lesson's own queue

# Overrides from the environment, with the defaults used when a variable is not set.
worker_concurrency = int(os.environ.get("CELERY_WORKER_CONCURRENCY", "2"))
worker_prefetch_multiplier = int(os.environ.get("CELERY_WORKER_PREFETCH_MULTIPLIER", "4"))
