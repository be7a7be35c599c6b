"""Part 2: kombu, then Celery: results, reliability, workflows, monitoring, integration."""
