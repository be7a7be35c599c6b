"""Maintainer tools: they remake the lesson READMEs' pictures. Not part of what a learner copies;
they may use the harness (lessons). Run them from the repository's root:

    .venv/bin/python -m tools.lesson10_screenshots       # the management UI, into lesson 10's folder
    .venv/bin/python -m tools.lesson19_readme_images     # Flower's charts and pages, into lesson 19's images/
"""
