"""Exercise 20 (given: do not change it): the app reads its whole configuration from celeryconfig.py.

    celery -A tasks worker --loglevel INFO                          (in this folder)
    EXERCISE20_CONCURRENCY=3 celery -A tasks worker --loglevel INFO
"""

from celery import Celery

app = Celery("exercise20")
app.config_from_object("celeryconfig")


@app.task(name="exercise20.ping")
def ping():
    return "pong"
