"""Lesson 6: routing on message headers with a headers exchange."""
