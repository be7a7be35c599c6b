"""A test of tasks.hashtags on a real worker: the celery_worker fixture runs one in a thread, on
the real broker, and the result comes back through Redis, as JSON."""

from tasks import hashtags


def test_hashtags(celery_worker):
    result = hashtags.delay("#celery is #fun, #celery")
    assert sorted(result.get(timeout=10)) == ["celery", "fun,"]
