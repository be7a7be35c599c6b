"""Lesson 3: publish/subscribe with a fanout exchange."""
