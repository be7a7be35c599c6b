"""Lesson 27: security (TLS, users, vhosts and permissions, a Redis with a password)."""
