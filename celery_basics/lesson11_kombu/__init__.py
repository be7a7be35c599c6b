"""Lesson 11: from pika to kombu."""
