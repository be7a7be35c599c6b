"""Exercise 27: least-privilege permissions for a producer, tried for real as that user.

The checker makes a throwaway vhost and user on the shared broker (management API), with the
exchanges and the queue of an orders service in it, runs the learner's grant_producer.py to set
the user's permissions, then logs in as the user over AMQP and tries what it may and may not do.
The vhost (and all in it) and the user are deleted at the end, also when the check fails.
"""

import secrets
from urllib.parse import quote, urlsplit, urlunsplit

import pika
import pika.exceptions

from lessons import broker, settings
from lessons.exercises import Exercise
from lessons.management import Management

FILE = "grant_producer.py"
EXCHANGES = {"orders": "topic", "orders-old": "topic", "audit": "fanout"}
QUEUE = "orders.work"


def amqp_url(user: str, password: str, vhost: str) -> str:
    """The course's AMQP address with another user, password and vhost."""
    parts = urlsplit(settings.AMQP_URL)
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.hostname}:{parts.port or 5672}"
    return urlunsplit(parts._replace(netloc=netloc, path="/" + quote(vhost, safe="")))


def attempt(url: str, action) -> str:
    """'allowed', or what the broker answered ('403 ACCESS_REFUSED - ...'), for one action
    on a fresh connection and channel."""
    parameters = pika.URLParameters(url)
    parameters.socket_timeout = parameters.blocked_connection_timeout = 5
    try:
        connection = pika.BlockingConnection(parameters)
    except pika.exceptions.ProbableAccessDeniedError as exc:
        return f"the user may not log in to the vhost ({exc})"
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        action(channel)
        return "allowed"
    except pika.exceptions.ChannelClosedByBroker as exc:
        return f"{exc.reply_code} {exc.reply_text}"
    except pika.exceptions.UnroutableError:
        return "allowed"
    finally:
        if connection.is_open:
            connection.close()


def check(ck):
    api = Management()
    tag = secrets.token_hex(4)
    vhost, user, password = f"exercise27-{tag}", f"exercise27-producer-{tag}", secrets.token_urlsafe(16)
    ck.cleanup(lambda: api.delete("vhosts", vhost), always=True)
    ck.cleanup(lambda: api.delete("users", user), always=True)
    ck.section(f"A throwaway vhost '{vhost}' with exchanges {', '.join(EXCHANGES)} and the queue "
               f"'{QUEUE}' (bound to 'orders'); a user '{user}' with no permissions yet")
    api.create_vhost(vhost)  # the course's admin user gets every right in it, to set it up
    api.put("users", user, body={"password": password, "tags": ""})
    for name, kind in EXCHANGES.items():
        api.put("exchanges", vhost, name, body={"type": kind, "durable": True})
    api.put("queues", vhost, QUEUE, body={"durable": True})
    api.post("bindings", vhost, "e", "orders", "q", QUEUE, body={"routing_key": "#"})

    granter = ck.run_file(FILE, "--vhost", vhost, "--user", user, env={"MANAGEMENT_URL": settings.MANAGEMENT_URL})
    ck.require(granter.returncode == 0, f"{FILE} ran and exited", ck.diagnose(granter))
    found = [p for p in api.get("users", user, "permissions") if p["vhost"] == vhost]
    ck.require(found, f"the user now has permissions in '{vhost}'",
               f"after {FILE} ran, the user has no permissions in '{vhost}': did it PUT them for the vhost "
               "and user given on its command line?")
    granted = found[0]
    ck.say(f"    Granted: configure {granted['configure']!r}, write {granted['write']!r}, read {granted['read']!r}")

    ck.section(f"Logged in as {user}: what it must be able to do")
    url = amqp_url(user, password, vhost)
    answer = attempt(url, lambda ch: ch.basic_publish("orders", "eu.new", "order 1 created"))
    ck.require(answer == "allowed", "it publishes to the exchange 'orders' (confirmed)",
               f"publishing to the exchange 'orders' was refused: {answer}. The producer needs write "
               "permission on 'orders'.")
    with broker.channel(amqp_url(*settings.management_credentials(), vhost)) as channel:
        depth = channel.queue_declare(QUEUE, passive=True).method.message_count
    ck.expect(depth == 1, f"the message reached '{QUEUE}'", f"'{QUEUE}' holds {depth} messages, not 1.")

    ck.section(f"Logged in as {user}: what it must be refused")
    configure, write, read = granted["configure"], granted["write"], granted["read"]
    anchor = (" (an expression is unanchored: 'orders' matches every name that contains it; anchor it: "
              "^orders$)") if "orders" in write else ""
    probes = [
        ("publish to the exchange 'orders-old'", lambda ch: ch.basic_publish("orders-old", "eu.new", "x"),
         f"write {write!r} matches 'orders-old' too{anchor}"),
        ("publish to the exchange 'audit'", lambda ch: ch.basic_publish("audit", "", "x"),
         f"write {write!r} matches 'audit'; it must match the name 'orders' only"),
        (f"publish through the default exchange (straight to '{QUEUE}')",
         lambda ch: ch.basic_publish("", QUEUE, "x"),
         f"write {write!r} matches 'amq.default', the name permissions give the default exchange"),
        ("declare a queue of its own", lambda ch: ch.queue_declare("exercise27.mine", durable=True),
         f"configure {configure!r} matches 'exercise27.mine'; a producer declares nothing: ''"),
        (f"read the queue '{QUEUE}'", lambda ch: ch.basic_get(QUEUE, auto_ack=False),
         f"read {read!r} matches '{QUEUE}'; a producer reads nothing: ''"),
    ]
    for what, action, why in probes:
        answer = attempt(url, action)
        ck.expect(answer.startswith("403"), f"it may not {what}: {answer.split(' in vhost')[0]}",
                  f"it could {what}: {why}.")


EXERCISES = (
    Exercise(
        name="least-privilege",
        title="A producer that may publish to one exchange and do nothing else",
        files=(FILE,),
        task="Narrow the configure, write and read regular expressions in grant_producer.py so the "
             "producer may publish to the exchange 'orders' and nothing else: no other exchange, no "
             "declaring, no reading.",
        check=check,
        hints=(
            "Three regular expressions decide everything: configure (declare and delete), write "
            "(publish to an exchange) and read (consume, get). Each is matched against the name of "
            "the queue or exchange; '' matches nothing.",
            "A producer only writes: configure and read can be ''. Write must match the name 'orders' "
            "and no other name, 'orders-old' included.",
            "PERMISSIONS = {\"configure\": \"\", \"write\": \"^orders$\", \"read\": \"\"}: without ^ and $ "
            "the expression 'orders' matches any name that contains it.",
        ),
        starter_says=r"\[no\] it could publish to the exchange 'orders-old': write '\.\*' matches 'orders-old' too",
        deadline=40,
    ),
)
