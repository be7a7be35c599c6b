"""Lesson 10, administration over the HTTP API: a vhost, a policy, and a user who may only read.

Creates the vhost 'lesson10-sandbox' with a max-length policy and a queue, and a user
'lesson10-reader' whose permissions are configure '^$' (nothing), write '^$' (nothing), read '.*'
(everything). The reader can get a message, but the broker refuses it a queue declaration and a
publish: ACCESS_REFUSED. Then the user and the vhost (with its queue and policy) are deleted.

    python limited_user.py
    python limited_user.py --keep   # look at them in the UI
"""

import argparse
from urllib.parse import quote, urlsplit, urlunsplit

import pika
import requests

from management_api import AMQP_URL, API, AUTH

VHOST = "lesson10-sandbox"
USER, PASSWORD = "lesson10-reader", "reader-secret"
QUEUE = "lesson10.reports"


def call(method, path, body=None):
    response = requests.request(method, API + path, json=body, auth=AUTH, timeout=5)
    response.raise_for_status()
    return response


def amqp_url(user=None, password=None):
    """AMQP_URL pointed at the sandbox vhost, optionally as another user."""
    parts = urlsplit(AMQP_URL)
    netloc = parts.netloc if user is None else f"{user}:{password}@{parts.hostname}:{parts.port or 5672}"
    return urlunsplit(parts._replace(netloc=netloc, path="/" + quote(VHOST, safe="")))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Create a vhost and a read-only user; show ACCESS_REFUSED.")
    parser.add_argument("--keep", action="store_true", help="leave the vhost and the user (delete them in the UI)")
    args = parser.parse_args(argv)
    admin = AUTH[0]
    v = quote(VHOST, safe="")

    call("PUT", f"vhosts/{v}")
    call("PUT", f"permissions/{v}/{admin}", {"configure": ".*", "write": ".*", "read": ".*"})
    print(f" [x] PUT {API}vhosts/{v}: created vhost '{VHOST}' (and gave '{admin}' all permissions on it)")
    call("PUT", f"policies/{v}/lesson10-max-length",
         {"pattern": r"^lesson10\.", "definition": {"max-length": 100}, "apply-to": "queues"})
    print(" [x] PUT policies: 'lesson10-max-length' caps every queue named lesson10.* at 100 messages")
    call("PUT", f"users/{USER}", {"password": PASSWORD, "tags": ""})
    call("PUT", f"permissions/{v}/{USER}", {"configure": "^$", "write": "^$", "read": ".*"})
    print(f" [x] PUT users/{USER} and permissions: configure '^$', write '^$', read '.*' (no management tags)")
    try:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url()))
        channel = connection.channel()
        channel.queue_declare(queue=QUEUE, durable=True)
        channel.basic_publish(exchange="", routing_key=QUEUE, body="report 1")
        connection.close()
        print(f" [x] As {admin}: declared '{QUEUE}' and sent 'report 1'")

        connection = pika.BlockingConnection(pika.URLParameters(amqp_url(USER, PASSWORD)))
        channel = connection.channel()
        method, properties, body = channel.basic_get(queue=QUEUE, auto_ack=True)
        print(f" [x] As {USER}: read {body.decode()!r} from '{QUEUE}' (read '.*' allows it)")
        try:
            channel.queue_declare(queue="lesson10.mine", durable=True)
        except pika.exceptions.ChannelClosedByBroker as error:
            print(f" [!] As {USER}: declaring a queue is refused: {error.reply_code} {error.reply_text}")
        channel = connection.channel()  # a refused action closes the channel, not the connection
        channel.confirm_delivery()
        try:
            channel.basic_publish(exchange="", routing_key=QUEUE, body="report 2")
        except pika.exceptions.ChannelClosedByBroker as error:
            print(f" [!] As {USER}: publishing is refused: {error.reply_code} {error.reply_text}")
        connection.close()
    finally:
        if not args.keep:
            call("DELETE", f"users/{USER}")
            call("DELETE", f"vhosts/{v}")  # takes its queues, exchanges, policies and permissions along
            print(f" [x] DELETE users/{USER} and vhosts/{v}: removed the user and the vhost with all it held")


if __name__ == "__main__":
    main()
