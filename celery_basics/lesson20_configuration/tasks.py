"""Lesson 20, the tasks (Celery's proj/tasks.py shape)."""

from celery_basics.lesson20_configuration.celery import app


@app.task
def add(x, y):
    return x + y
