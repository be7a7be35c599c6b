"""Lesson 20, a configuration with a typo: Celery does not complain, it ignores the name.

check_config finds it: python -m celery_basics.lesson20_configuration.check_config misspelled
"""

from lessons import settings  # import the module, not its names: see README, Pitfalls

broker_url = settings.AMQP_URL
result_backend = settings.REDIS_URL
broker_connection_retry_on_startup = True
task_default_queue = "lesson20_configuration"
worker_prefetch_multipler = 1  # misspelled: the worker keeps the default, 4
