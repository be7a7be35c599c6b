"""Part 3: in production: the install, workers as services, a cluster, pressure, security, speed, tests."""
