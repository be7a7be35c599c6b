"""Lesson 9: dead letters, TTL, priority and quorum queues."""
