"""Lesson 11: the exchange and the queue, declared once and shared by the producer and the worker.

kombu describes them as plain objects; whoever uses them first declares them on the broker.
"""

import os

from kombu import Exchange, Queue

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# The very same code runs on both transports: only the URL differs.
BROKERS = {"amqp": AMQP_URL, "redis": REDIS_URL}

task_exchange = Exchange("kombu_tasks", type="direct", durable=True)
task_queue = Queue("kombu_task_queue", task_exchange, routing_key="kombu_task_queue", durable=True)
