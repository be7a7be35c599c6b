"""Lesson 25: a RabbitMQ cluster and quorum queues."""
