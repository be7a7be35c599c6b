"""Exercise 20: the production configuration of the app in tasks.py (read by config_from_object).

The worker starts and runs tasks, yet it does not behave as this file seems to say. TODO:
1. Two settings below are misspelt, so Celery ignores them without a word. Fix them (the
   settings reference: https://docs.celeryq.dev/en/stable/userguide/configuration.html).
2. The number of worker processes must come from the environment variable
   EXERCISE20_CONCURRENCY (default 2), so each machine can choose it without a code change.
"""

import os

broker_url = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
result_backend = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
broker_connection_retry_on_startup = True
task_default_queue = "exercise20"

# Production settings: a task is acknowledged after it ran, and a worker whose process died
# mid-task gives the message back; each process takes one message at a time; results are
# kept one hour.
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multipler = 1
result_expire = 3600
worker_concurrency = 2  # TODO: from EXERCISE20_CONCURRENCY
