"""Lesson 0: install and check the stack."""
