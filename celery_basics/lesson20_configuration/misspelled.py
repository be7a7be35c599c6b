"""Lesson 20, a configuration with a typo: Celery does not complain, it ignores the name.

check_config finds it: python check_config.py misspelled
"""

import os

# Straight into the settings, not into names of their own: every public name of this module
# is published by `celery inspect conf`, and Celery masks the password only in its settings.
broker_url = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
result_backend = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
broker_connection_retry_on_startup = True
task_default_queue = "lesson20_configuration"
worker_prefetch_multipler = 1  # misspelled: the worker keeps the default, 4
