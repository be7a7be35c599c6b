"""Exercises 8a and 8b: find why messages vanish (mandatory + confirms), then keep them
(an alternate exchange)."""

import random
import time

from lessons.exercises import Exercise

ORDERS_EXCHANGE = "exercise08.orders"
SHOP, UNROUTED = "exercise08.shop", "exercise08.unrouted"


def check_mandatory(ck):
    from lessons import broker

    number = random.randint(100, 999)
    events = {"created": f"order {number} created", "paid": f"order {number} paid",
              "refunded": f"order {number - 1} refunded", "shipped": f"order {number - 2} shipped"}
    bound = ["created", "paid"]
    ck.section(f"Queues are bound to '{ORDERS_EXCHANGE}' for {' and '.join(bound)} only")
    with broker.channel() as channel:
        channel.exchange_declare(ORDERS_EXCHANGE, exchange_type="direct", durable=True)
        for key in bound:
            channel.queue_declare(f"exercise08.{key}", durable=True)
            channel.queue_bind(f"exercise08.{key}", ORDERS_EXCHANGE, routing_key=key)

    ck.section("publish_orders.py publishes four events")
    run = ck.run_file("publish_orders.py", *(f"{key}={text}" for key, text in events.items()), timeout=15)
    if run.returncode not in (0, 2):
        ck.stop(f"publish_orders.py failed: {ck.diagnose(run)}")
    for key in bound:
        depth = ck.queue_depth(f"exercise08.{key}")
        ck.expect(depth == 1, f"'{events[key]}' reached the queue exercise08.{key}",
                  f"the queue exercise08.{key} holds {depth} messages, not 1: was '{events[key]}' published once?")
    reported = [m.group(1) for m in run.matches(r"\[!\] Unroutable: '([^']*)'")]
    lost = [events["refunded"], events["shipped"]]
    ck.expect(sorted(reported) == sorted(lost),
              f"it reported the two events no queue took: {', '.join(lost)}",
              f"it reported {reported or 'nothing'} as unroutable, but {lost} vanished: no queue is "
              "bound with their keys, and the broker dropped them without a word. Ask the broker to "
              "return such messages, and wait for its confirms."
              if not reported else f"it reported {reported} as unroutable; the ones no queue took are {lost}.")
    ck.expect(run.count(r"Sent") >= 2 and all(events[k] not in reported for k in bound),
              "it still published the events that have a queue",
              "it should still publish (and report as sent) the events that have a queue.")
    ck.expect(run.returncode == 2, "it exited with code 2: some events were unroutable",
              f"it exited with code {run.returncode}, not 2, although events were unroutable.")
    ck.section("Every event has a queue now: nothing is unroutable")
    again = ck.run_file("publish_orders.py", f"created={events['created']}", timeout=15)
    ck.expect(again.returncode == 0 and not again.count(r"Unroutable"),
              "with only routable events it reported nothing and exited with code 0",
              f"with only routable events it exited with code {again.returncode}"
              + (" and reported some as unroutable." if again.count(r"Unroutable") else "."))


def check_alternate_exchange(ck):
    import pika

    from lessons import broker
    from lessons.management import Management

    ck.section("declare_shop.py declares the exchanges")
    run = ck.run_file("declare_shop.py", timeout=15)
    ck.require(run.returncode == 0, "declare_shop.py ran and exited with code 0", ck.diagnose(run))
    shop = next((e for e in Management().exchanges() if e["name"] == SHOP), None)
    ck.require(shop is not None, f"the exchange '{SHOP}' exists",
               f"there is no exchange '{SHOP}': declare_shop.py must declare it.")
    alternate = shop.get("arguments", {}).get("alternate-exchange")
    ck.expect(alternate == UNROUTED, f"'{SHOP}' names '{UNROUTED}' as its alternate exchange",
              f"'{SHOP}' has no alternate exchange: unroutable messages are dropped. Its arguments are "
              f"{shop.get('arguments') or 'empty'}." if not alternate else
              f"'{SHOP}' names '{alternate}' as its alternate exchange, not '{UNROUTED}'.")

    ck.section(f"A queue is bound to '{SHOP}' for 'created'; the checker publishes three events")
    with broker.channel() as channel:
        channel.queue_declare("exercise08.shop_created", durable=True)
        channel.queue_bind("exercise08.shop_created", SHOP, routing_key="created")
        channel.confirm_delivery()
        for key in ("created", "refunded", "shipped"):
            channel.basic_publish(SHOP, key, body=f"order 42 {key}",
                                  properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent))
    time.sleep(0.2)
    created = [body.decode() for _, _, body in ck.drain("exercise08.shop_created")]
    ck.expect(created == ["order 42 created"], "'order 42 created' reached its queue",
              f"the queue for 'created' got {created}, not ['order 42 created'].")
    kept = sorted(body.decode() for _, _, body in ck.drain(UNROUTED)) if ck.queue_depth(UNROUTED) is not None else []
    ck.expect(kept == ["order 42 refunded", "order 42 shipped"],
              f"the two events no queue took were kept in '{UNROUTED}'",
              f"'{UNROUTED}' got {kept or 'nothing'}, not the refunded and shipped events.")


EXERCISES = (
    Exercise(
        name="vanishing-orders",
        title="Find out why orders vanish (mandatory and confirms)",
        files=("publish_orders.py",),
        task="Make publish_orders.py notice events that no queue takes: print \" [!] Unroutable: "
             "'<text>'\" for each, still publish the others, exit with code 2 if any was unroutable.",
        check=check_mandatory,
        hints=(
            "The broker drops a message that no binding matches, and by default it tells nobody. "
            "Two publishing options change that: the mandatory flag (return it to me) and publisher "
            "confirms (tell me how each publish went).",
            "channel.confirm_delivery() once, then basic_publish(..., mandatory=True). With both, "
            "pika's BlockingChannel raises pika.exceptions.UnroutableError for a returned message.",
            "    try:\n"
            "        channel.basic_publish(exchange=EXCHANGE, routing_key=key, body=text, mandatory=True)\n"
            "        print(f\" [x] Sent {text!r}\")\n"
            "    except pika.exceptions.UnroutableError:\n"
            "        print(f\" [!] Unroutable: {text!r}\")\n"
            "        unroutable += 1\n"
            "and at the end: return 2 if unroutable else 0.",
        ),
        starter_says=r"\[no\] it reported nothing as unroutable, but .* vanished",
        deadline=45,
    ),
    Exercise(
        name="alternate-exchange",
        title="Keep what no queue takes (an alternate exchange)",
        files=("declare_shop.py",),
        task="Declare 'exercise08.shop' in declare_shop.py so that messages no queue takes go to the "
             "fanout exchange 'exercise08.unrouted' (and its queue) instead of being dropped.",
        check=check_alternate_exchange,
        hints=(
            "An exchange can name a second exchange that gets every message it cannot route: its "
            "alternate exchange. It is set when the exchange is declared.",
            "It is an argument of exchange_declare: arguments={\"alternate-exchange\": \"...\"}.",
            "    channel.exchange_declare(exchange=\"exercise08.shop\", exchange_type=\"direct\", durable=True,\n"
            "                             arguments={\"alternate-exchange\": \"exercise08.unrouted\"})",
        ),
        starter_says=r"\[no\] 'exercise08\.shop' has no alternate exchange",
        deadline=45,
    ),
)
