"""Lesson 14: reliable tasks."""
