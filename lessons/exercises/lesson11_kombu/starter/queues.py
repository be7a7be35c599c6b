"""Exercise 11 (given: do not change it): the exchange and the queue, shared by the worker and
whoever sends the tasks. The same objects work on both transports; only the URL differs.
"""

import os

from kombu import Exchange, Queue

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

BROKERS = {"amqp": AMQP_URL, "redis": REDIS_URL}

task_exchange = Exchange("exercise11.tasks", type="direct", durable=True)
task_queue = Queue("exercise11.tasks", task_exchange, routing_key="exercise11.tasks", durable=True)
