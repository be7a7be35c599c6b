"""Lesson 7: remote procedure calls (RPC) over RabbitMQ."""
