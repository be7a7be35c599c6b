"""Lesson 27, Celery's settings: the broker over TLS, the results in a Redis with a password.

tasks.py loads this module with app.config_from_object(), lazily: it is read when the worker or
a client first needs it. The URLs hold passwords, so they come from the environment only.
"""

import tls

broker_url = tls.secret_url("AMQPS_URL")        # amqps://reports-app:PASSWORD@localhost:5671/reports
result_backend = tls.secret_url("REDIS_URL")    # redis://:PASSWORD@127.0.0.1:6379/0 (rediss:// for TLS)
broker_use_ssl = tls.kombu_ssl(broker_url)      # CA, client certificate and key, the server's name
broker_connection_retry_on_startup = True
task_default_queue = "lesson27_security"
