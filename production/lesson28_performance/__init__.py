"""Lesson 28: performance, measured then tuned (pika publish and consume, Celery end to end)."""
