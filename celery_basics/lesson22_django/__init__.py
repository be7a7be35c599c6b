"""Lesson 22: Celery inside Django."""
