"""Lesson 8: publisher confirms and unroutable messages."""
