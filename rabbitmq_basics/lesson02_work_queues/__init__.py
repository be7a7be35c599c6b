"""Lesson 2: work queues."""
