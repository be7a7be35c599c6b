"""Exercise 24, the app supervisord runs (you do not need to change it).

    celery -A tasks worker --hostname exercise24@%h --loglevel INFO     (supervisord.conf runs this)

slow(seconds) stands in for real work: a deploy that restarts the worker must let it finish.
"""

import os
import time

from celery import Celery

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("exercise24", broker=AMQP_URL, backend=REDIS_URL)
app.conf.update(
    broker_connection_retry_on_startup=True,
    task_default_queue="exercise24",
)


@app.task(name="exercise24.slow")
def slow(seconds):
    print(f"slow: started in pid {os.getpid()}", flush=True)
    time.sleep(seconds)
    print("slow: finished", flush=True)
    return {"worker_pid": os.getppid()}  # the worker's main process
