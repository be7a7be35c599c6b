"""Lesson 13: results and task states."""
