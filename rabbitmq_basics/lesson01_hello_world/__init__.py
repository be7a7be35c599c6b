"""Lesson 1: hello world."""
