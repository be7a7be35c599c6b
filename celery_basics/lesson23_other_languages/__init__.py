"""Lesson 23: calling Celery from other languages."""
