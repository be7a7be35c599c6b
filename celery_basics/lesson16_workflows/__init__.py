"""Lesson 16: workflows with Celery's canvas (signatures, chain, group, chord, map/starmap/chunks)."""
