"""Lesson 26: a broker under pressure (alarms, length limits, stalled consumers, heartbeats)."""
