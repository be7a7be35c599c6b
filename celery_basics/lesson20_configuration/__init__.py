"""Lesson 20: configuration (config_from_object, environment overrides, production settings)."""
