"""Lesson 10: the management plugin and watching the broker."""
