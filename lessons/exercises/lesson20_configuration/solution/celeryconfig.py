"""Exercise 20: the production configuration of the app in tasks.py (read by config_from_object).

The reference solution: the two misspelt names corrected, the concurrency read from the
environment.
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
worker_prefetch_multiplier = 1
result_expires = 3600
worker_concurrency = int(os.environ.get("EXERCISE20_CONCURRENCY", "2"))
