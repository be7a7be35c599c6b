"""Lesson 4: routing with a direct exchange."""
