"""Lesson 8 end to end: three confirm strategies, mandatory, an alternate exchange, a missing exchange."""

import re

from helpers import assert_clean_run, run_lesson

from lessons import broker

QUEUES = ("lesson08.confirms", "lesson08.orders", "lesson08.unroutable")
EXCHANGES = ("lesson08.orders", "lesson08.orders_with_ae", "lesson08.unroutable")


def _names(items):
    return {item["name"] for item in items}


def test_demo_times_three_strategies_and_catches_unroutable_messages(management):
    out = assert_clean_run(run_lesson(8, "--messages", "1000"))
    for strategy in ("individual", "batch", "async"):
        assert re.search(rf"\[x\] {strategy}: 1000 messages published to 'lesson08.confirms', "
                         r"1000 confirmed, 0 nacked", out), out
        assert re.search(rf"│ {strategy} +│", out), out  # a row of the table
    assert "fastest" in out and "messages/s" in out
    assert "[!] Returned 'order 1 refunded' (key order.refunded): 312 NO_ROUTE" in out
    assert "404 NOT_FOUND - no exchange 'lesson08.no_such_exchange'" in out
    assert "Sent 'order 4 created' on the new channel: confirmed" in out
    # Nothing the demo declared is left.
    assert not _names(management.queues()) & set(QUEUES)
    assert not _names(management.exchanges()) & set(EXCHANGES)


def test_confirmed_messages_are_persistent_in_a_durable_queue(management):
    result = run_lesson(8, "--strategy", "async", "--messages", "200", role="publisher_confirms")
    assert result.returncode == 0, result.stdout
    assert "200 confirmed, 0 nacked" in result.stdout
    try:
        queue = management.queue("lesson08.confirms")
        assert queue is not None and queue["durable"] is True
        assert broker.queue_depth("lesson08.confirms") == 200
        message = management.peek("lesson08.confirms")[0]
        assert message["properties"]["delivery_mode"] == 2  # persistent
    finally:
        broker.delete_queues("lesson08.confirms")


def test_keep_leaves_the_alternate_exchange_to_look_at(management):
    assert_clean_run(run_lesson(8, "--messages", "100", "--keep"))
    try:
        exchanges = {e["name"]: e for e in management.exchanges()}
        assert exchanges["lesson08.orders_with_ae"]["arguments"] == {"alternate-exchange": "lesson08.unroutable"}
        assert exchanges["lesson08.unroutable"]["type"] == "fanout"
        caught = management.peek("lesson08.unroutable")
        assert [m["payload"] for m in caught] == ["order 3 refunded"]
        assert caught[0]["routing_key"] == "order.refunded"  # the original key is kept
    finally:
        broker.delete_queues(*QUEUES)
        broker.delete_exchanges(*EXCHANGES)


def test_publishing_to_a_missing_exchange_is_explained_and_the_program_goes_on():
    result = run_lesson(8, "--missing-exchange", "no.such.thing", role="unroutable")
    try:
        assert result.returncode == 0, result.stdout
        assert "Traceback" not in result.stdout
        assert "[!] The broker closed the channel: 404 NOT_FOUND - no exchange 'no.such.thing'" in result.stdout
        assert "opening a new channel and going on" in result.stdout
        assert broker.queue_depth("lesson08.orders") == 2
    finally:
        broker.delete_queues(*QUEUES)
        broker.delete_exchanges(*EXCHANGES)


def test_wrong_password_is_one_sentence():
    from lessons import settings

    bad = settings.AMQP_URL.replace("course:course@", "course:wrong@")
    result = run_lesson(8, "--strategy", "async", "--messages", "10", role="publisher_confirms",
                        env={"AMQP_URL": bad})
    assert result.returncode != 0
    assert "Traceback" not in result.stdout
    assert "refused the credentials" in result.stdout, result.stdout
