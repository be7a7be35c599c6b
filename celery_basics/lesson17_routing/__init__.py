"""Lesson 17: routing tasks to queues, named workers, prefetch, priorities and the control API."""
