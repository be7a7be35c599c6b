"""Part 3, in production: services, a cluster, pressure, security, performance, testing."""
