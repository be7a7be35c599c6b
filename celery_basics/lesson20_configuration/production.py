"""Lesson 20, a production configuration: the same broker, safer settings (see README's table).

    CELERY_CONFIG_MODULE=production celery -A proj worker --loglevel INFO
"""

import os

# In production: a broker user of its own (never guest) and TLS, e.g.
#   broker_url = "amqps://orders:SECRET@rabbit.internal:5671/orders"
#   broker_use_ssl = {"ca_certs": "/etc/ssl/rabbit-ca.pem", "cert_reqs": ssl.CERT_REQUIRED}
# Straight into the settings, not into names of their own: every public name of this module
# is published by `celery inspect conf`, and Celery masks the password only in its settings.
broker_url = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
result_backend = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
broker_connection_retry_on_startup = True
task_default_queue = "lesson20_configuration"

# JSON only: a worker that accepts pickle runs whatever code a message carries.
accept_content = ["json"]
task_serializer = "json"
result_serializer = "json"

# Acknowledge after the task, and give the task back if the worker process dies.
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = int(os.environ.get("CELERY_WORKER_PREFETCH_MULTIPLIER", "1"))
worker_concurrency = int(os.environ.get("CELERY_WORKER_CONCURRENCY", "2"))

# Time limits: the soft one raises SoftTimeLimitExceeded in the task, the hard one kills it.
task_soft_time_limit = 60
task_time_limit = 90

result_expires = 24 * 3600  # seconds; Redis forgets results after a day
worker_max_tasks_per_child = 200  # recycle pool processes that leak memory
timezone = "UTC"

# With the Redis *broker* (not used here): a task not acked within this many seconds is given
# to another worker. Keep it longer than your longest ETA/countdown and your longest task.
broker_transport_options = {"visibility_timeout": 6 * 3600}
