"""Compatibility names for demos written before the split (`from lessons.runner import Story, ...`).

The pieces live where their names say: lessons/story.py (Story, wait_until, eventually),
lessons/processes.py (Process and its errors), lessons/broker.py (celery_env), lessons/console.py
(output and colour). New code imports from those; this module goes once nothing imports it.
"""

from lessons.broker import celery_env
from lessons.console import emit, use_colour
from lessons.processes import ROOT, Process, ReadinessTimeout, RoleFailed
from lessons.story import Interrupted, Story, eventually, wait_until

__all__ = ["ROOT", "Interrupted", "Process", "ReadinessTimeout", "RoleFailed", "Story", "celery_env",
           "emit", "eventually", "use_colour", "wait_until"]
