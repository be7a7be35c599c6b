"""Lesson 29: testing Celery code against a real broker (the lesson's own tests are the examples)."""
