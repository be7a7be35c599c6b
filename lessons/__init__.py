"""The course runner: the lesson catalog, stack settings and checks, and the process runner."""
