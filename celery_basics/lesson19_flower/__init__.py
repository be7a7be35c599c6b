"""Lesson 19: monitoring Celery with Flower."""
