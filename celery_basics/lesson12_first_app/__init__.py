"""Lesson 12: the first Celery app."""
