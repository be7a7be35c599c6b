"""Lesson 20, the tasks (Celery's proj/tasks.py shape)."""

from .celery import app


@app.task
def add(x, y):
    return x + y
