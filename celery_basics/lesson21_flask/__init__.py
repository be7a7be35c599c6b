"""Lesson 21: a Flask app that hands slow work to Celery."""
