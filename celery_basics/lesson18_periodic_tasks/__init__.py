"""Lesson 18: periodic tasks with celery beat."""
