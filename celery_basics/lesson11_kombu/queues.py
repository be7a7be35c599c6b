"""Lesson 11: the exchange and the queue, declared once and shared by the producer and the worker.

kombu describes them as plain objects; whoever uses them first declares them on the broker.
"""

from kombu import Exchange, Queue

from lessons.settings import AMQP_URL, REDIS_URL

# The very same code runs on both transports: only the URL differs.
BROKERS = {"amqp": AMQP_URL, "redis": REDIS_URL}

task_exchange = Exchange("kombu_tasks", type="direct", durable=True)
task_queue = Queue("kombu_task_queue", task_exchange, routing_key="kombu_task_queue", durable=True)
