"""Lesson 15: progress of long jobs."""
