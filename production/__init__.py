"""Part 3, in production: running queues for real (services, a cluster, pressure, security, ...)."""
