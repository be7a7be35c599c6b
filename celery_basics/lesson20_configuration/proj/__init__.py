"""Lesson 20's project package, in Celery's proj/ shape: celery.py makes the app, tasks.py holds
the tasks. `celery -A proj worker` (run in the lesson's folder) finds proj.celery's `app`."""
