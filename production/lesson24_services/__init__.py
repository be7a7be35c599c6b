"""Lesson 24: workers as services (supervisord, systemd units, celery multi)."""
