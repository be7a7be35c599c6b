"""Part 3, in production: the install, services, a cluster, pressure, security, performance, testing."""
