"""Lesson 5: topics, routing by pattern."""
