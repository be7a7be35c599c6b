"""Lesson 28, the benchmark: messages and tasks per second, each knob measured on its own.

    python benchmark.py pika                      # publish and consume rates, about 15 s
    python benchmark.py pika --messages 50000     # a larger run
    python benchmark.py celery --tasks 2000       # tasks/s end to end against a running worker
    python benchmark.py celery --tasks 20000 --chunks 100

`pika` publishes to and consumes from two durable queues of its own, lesson28_classic and
lesson28_quorum, empties them between measurements and deletes them at the end. Each line it
prints is one measurement:

     [.] publish, classic, persistent, async confirms: 10000 msgs in 0.61 s = 16393 msg/s

`celery` sends tiny tasks (tasks.noop) to whatever worker consumes lesson28_tasks, and waits
until the last one has run: with a result backend it collects every result; with results
ignored it asks the workers how many tasks they took (inspect stats). The settings come from
tasks.py (and so from the environment: IGNORE_RESULT=1, TASK_SERIALIZER=msgpack, ...).
"""

import argparse
import os
import time

import pika

AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

CLASSIC, QUORUM = "lesson28_classic", "lesson28_quorum"
QUEUE_ARGUMENTS = {CLASSIC: {"x-queue-type": "classic"}, QUORUM: {"x-queue-type": "quorum"}}
TRANSIENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Transient)
PERSISTENT = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
BODY = b"x" * 100  # a small message: what is measured is the per-message cost


def report(label, count, seconds, unit="msgs"):
    rate = count / seconds
    short = {"msgs": "msg"}.get(unit, unit)
    print(f" [.] {label}: {count} {unit} in {seconds:.2f} s = {rate:.0f} {short}/s")
    return rate


def connect():
    return pika.BlockingConnection(pika.URLParameters(AMQP_URL))


def declare_queues(channel):
    # Both durable: on RabbitMQ 4 a transient (non-durable) shared queue is a deprecated feature.
    # "Transient" below is a property of the messages (delivery_mode 1), not of the queue.
    for queue, arguments in QUEUE_ARGUMENTS.items():
        channel.queue_declare(queue=queue, durable=True, arguments=arguments)


def on_a_channel(work):
    """Open a SelectConnection (pika's asynchronous connection), call work(channel, finish) on
    its channel, and run its I/O loop until work calls finish(); return what it passed.

    Asynchronous on purpose: a BlockingConnection writes to the socket at every basic_publish
    and basic_ack, and that, not the broker, would be what this benchmark measured.
    """
    state = {"value": None, "error": None}

    def finish(value=None, error=None):
        state["value"], state["error"] = value, error
        connection.close()

    def on_open_error(conn, error):
        state["error"] = error
        conn.ioloop.stop()

    connection = pika.SelectConnection(
        pika.URLParameters(AMQP_URL),
        on_open_callback=lambda conn: conn.channel(on_open_callback=lambda ch: work(ch, finish)),
        on_open_error_callback=on_open_error,
        on_close_callback=lambda conn, reason: conn.ioloop.stop(),
    )
    connection.ioloop.start()  # runs the callbacks until the connection closes
    if state["error"] is not None:
        raise state["error"]
    return state["value"]


# -- publishing ------------------------------------------------------------------------------------
def publish(queue, count, properties, confirms):
    """Publish `count` messages; return the seconds until the broker has them all.

    confirms=None: no publisher confirms; nothing comes back, so the time ends when the queue
    holds them all (asked with a passive declare).
    confirms=1: one by one (publish, wait for its confirm, publish the next);
    confirms=100: in batches (publish 100, wait until all 100 are confirmed, go on);
    confirms="async": publish everything, count the confirms as they stream back.
    """
    state = {"published": 0, "confirmed": 0, "highest": 0}

    def work(channel, finish):
        def publish_more():
            window = count if confirms in (None, "async") else confirms
            end = min(count, state["published"] + window)
            while state["published"] < end:
                channel.basic_publish(exchange="", routing_key=queue, body=BODY, properties=properties)
                state["published"] += 1

        def on_confirm(frame):
            method = frame.method
            if not isinstance(method, pika.spec.Basic.Ack):
                finish(error=RuntimeError(f"the broker nacked message {method.delivery_tag}"))
                return
            # multiple=True confirms every message up to this delivery tag in one frame.
            state["confirmed"] += method.delivery_tag - state["highest"] if method.multiple else 1
            state["highest"] = max(state["highest"], method.delivery_tag)
            if state["confirmed"] == count:
                finish(time.perf_counter() - started)
            elif state["confirmed"] == state["published"]:
                publish_more()  # the window is confirmed: send the next one

        def ask_length(frame=None):
            if frame is not None and frame.method.message_count >= count:
                finish(time.perf_counter() - started)
            else:
                channel.connection.ioloop.call_later(0.005, lambda: channel.queue_declare(
                    queue, passive=True, callback=ask_length))

        def go(frame=None):
            nonlocal started
            started = time.perf_counter()
            publish_more()
            if confirms is None:
                ask_length()

        started = 0.0
        if confirms is None:
            go()
        else:
            channel.confirm_delivery(ack_nack_callback=on_confirm, callback=go)

    return on_a_channel(work)


# -- consuming -------------------------------------------------------------------------------------
def consume(queue, count, prefetch, ack_every=1):
    """Consume `count` messages with manual acks and this prefetch; return the seconds.

    ack_every=100 acknowledges every 100th message with multiple=True (one frame for 100).
    """
    state = {"received": 0}

    def work(channel, finish):
        def on_message(ch, method, properties, body):
            state["received"] += 1
            last = state["received"] == count
            if state["received"] % ack_every == 0 or last:
                ch.basic_ack(delivery_tag=method.delivery_tag, multiple=ack_every > 1)
            if last:
                finish(time.perf_counter() - started)

        def on_qos(frame):
            nonlocal started
            started = time.perf_counter()
            channel.basic_consume(queue=queue, on_message_callback=on_message)

        started = 0.0
        channel.basic_qos(prefetch_count=prefetch, callback=on_qos)

    return on_a_channel(work)


def run_pika(messages, runs=3):
    connection = connect()
    channel = connection.channel()
    declare_queues(channel)
    # The slow ways get fewer messages (a rate is a rate), so the run ends sooner.
    one_by_one, slow = max(100, messages // 10), max(200, messages // 2)
    try:
        print(f" [*] Publishing {messages} messages of {len(BODY)} bytes per measurement "
              f"({one_by_one} one by one)")
        for queue, persistent, mode in [
            (CLASSIC, False, "no confirms"), (CLASSIC, True, "no confirms"),
            (CLASSIC, False, "confirms one by one"), (CLASSIC, True, "confirms one by one"),
            (CLASSIC, True, "confirms in batches of 100"),
            (CLASSIC, False, "async confirms"), (CLASSIC, True, "async confirms"),
            (QUORUM, True, "confirms one by one"), (QUORUM, True, "async confirms"),
        ]:
            channel.queue_purge(queue)
            properties = PERSISTENT if persistent else TRANSIENT
            count = one_by_one if mode == "confirms one by one" else messages
            confirms = {"no confirms": None, "confirms one by one": 1,
                        "confirms in batches of 100": 100, "async confirms": "async"}[mode]
            seconds = publish(queue, count, properties, confirms)
            kind = "quorum" if queue == QUORUM else "classic"
            report(f"publish, {kind}, {'persistent' if persistent else 'transient'}, {mode}", count, seconds)

        # A consume takes a second or less: one stall of a busy machine can halve its rate. The
        # fastest of a few runs is the rate the setup allows.
        print(f" [*] Consuming {messages} messages per measurement ({slow} with prefetch 1), manual acks, "
              f"the fastest of {runs} runs")
        for queue, prefetch, ack_every in [(CLASSIC, 1, 1), (CLASSIC, 10, 1), (CLASSIC, 100, 1),
                                           (CLASSIC, 1000, 1), (CLASSIC, 1000, 100),
                                           (QUORUM, 100, 1)]:
            count = slow if prefetch == 1 else messages
            times = []
            for _ in range(runs):
                channel.queue_purge(queue)
                publish(queue, count, PERSISTENT, confirms=None)
                times.append(consume(queue, count, prefetch, ack_every))
            seconds = min(times)
            acks = "multiple acks every 100" if ack_every > 1 else "one ack each"
            kind = "quorum" if queue == QUORUM else "classic"
            report(f"consume, {kind}, prefetch {prefetch}, {acks}", count, seconds)
    finally:
        for queue in QUEUE_ARGUMENTS:
            channel.queue_delete(queue)
        connection.close()


# -- Celery ----------------------------------------------------------------------------------------
def consuming_workers(app, queue, within=20):
    """The names of the workers that consume `queue` (others may share the broker)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:  # a worker that has just started may not answer yet
        # A broadcast: every worker of the virtual host answers, and the call waits `timeout`.
        replies = app.control.inspect(timeout=0.5).active_queues() or {}
        found = [name for name, queues in replies.items() if any(q["name"] == queue for q in queues)]
        if found:
            return found
    return []


def tasks_taken(app, workers):
    """How many tasks the workers have taken since they started (inspect stats: 'total')."""
    replies = app.control.inspect(destination=workers, timeout=5).stats() or {}
    return sum(sum(stats.get("total", {}).values()) for stats in replies.values())


def run_celery(count, chunks, group, label):
    from celery import group as celery_group
    from celery.result import ResultSet

    from tasks import app, noop

    results = not app.conf.task_ignore_result and app.conf.result_backend is not None
    workers = consuming_workers(app, app.conf.task_default_queue)
    if not workers:
        raise SystemExit(" [!] No worker consumes lesson28_tasks: start one (celery -A tasks worker).")
    before = 0 if results else tasks_taken(app, workers)

    started = time.perf_counter()
    if chunks:
        sent = noop.chunks(((i,) for i in range(count)), chunks).apply_async()
        messages = -(-count // chunks)
    elif group:
        sent = celery_group(noop.s(i) for i in range(count)).apply_async()
        messages = count
    elif results:
        sent = ResultSet([noop.delay(i) for i in range(count)])
        messages = count
    else:
        for i in range(count):
            noop.delay(i)  # no result to wait for: the AsyncResult is dropped at once
        messages = count
    if results:
        values = sent.get(timeout=300)
        if chunks:
            values = [value for chunk in values for value in chunk]
        if values != list(range(count)):
            raise SystemExit(" [!] Some results were wrong or missing.")
    else:
        deadline = time.monotonic() + 300
        while tasks_taken(app, workers) - before < messages:
            if time.monotonic() > deadline:
                raise SystemExit(" [!] The workers did not take every task within 300 s.")
            time.sleep(0.02)
    seconds = time.perf_counter() - started
    report(label or "celery", count, seconds, unit="items" if chunks else "tasks")
    if results:
        sent.forget()  # delete the results from the backend: nobody needs them any more


def main(argv=None):
    parser = argparse.ArgumentParser(description="Measure messages and tasks per second.")
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("pika", help="publish and consume rates with pika")
    p.add_argument("--messages", type=int, default=10000, help="messages per measurement (default 10000)")
    p.add_argument("--runs", type=int, default=3, help="consume rates: the fastest of this many runs (default 3)")
    c = sub.add_parser("celery", help="tiny tasks per second, end to end, against a running worker")
    c.add_argument("--tasks", type=int, default=1000, help="tasks (or items, with --chunks) to run")
    c.add_argument("--chunks", type=int, default=0, metavar="SIZE", help="send them as chunks of SIZE")
    c.add_argument("--group", action="store_true", help="send them as one group")
    c.add_argument("--label", default="", help="what to call this measurement in the output")
    args = parser.parse_args(argv)
    if args.what == "pika":
        run_pika(args.messages, args.runs)
    else:
        run_celery(args.tasks, args.chunks, args.group, args.label)


if __name__ == "__main__":
    main()
