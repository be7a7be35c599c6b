r"""Lesson 27, the administrator's part: a vhost and a user per application, least privilege.

    python setup_apps.py

Run once, as an administrator, over the HTTPS management API (MANAGEMENT_HTTPS_URL). The
applications' passwords come from ORDERS_PRODUCER_PASSWORD, ORDERS_WORKER_PASSWORD and
REPORTS_APP_PASSWORD: generate them, keep them in your secrets store, never in code.

    vhost 'orders':  exchange 'orders' (topic) --eu.#--> queue 'orders.work'
                                               --#-----> queue 'orders.audit'
      orders-producer   configure ''   write ^orders$   read ''   topic 'orders': write ^eu\.
      orders-worker     configure ''   write ''         read ^orders\.work$
    vhost 'reports':  reports-app (a Celery app) may do anything, in its own vhost only
"""

import os

import requests

import tls

# Permissions are three regular expressions on resource names: configure (declare, delete),
# write (publish to an exchange, bind to a queue), read (consume, get, bind from an exchange).
# '' matches nothing.
USERS = {
    "orders-producer": ("ORDERS_PRODUCER_PASSWORD", "orders", {"configure": "", "write": "^orders$", "read": ""}),
    "orders-worker": ("ORDERS_WORKER_PASSWORD", "orders", {"configure": "", "write": "", "read": r"^orders\.work$"}),
    # Celery declares its own queues and exchanges, so it needs configure rights: give it a
    # vhost of its own rather than rights in someone else's.
    "reports-app": ("REPORTS_APP_PASSWORD", "reports", {"configure": ".*", "write": ".*", "read": ".*"}),
}
# Topic permissions: which routing keys a user may publish to a topic exchange.
TOPIC_PERMISSIONS = {"orders-producer": {"exchange": "orders", "write": r"^eu\.", "read": ".*"}}


def main():
    api = tls.secret_url("MANAGEMENT_HTTPS_URL").rstrip("/")
    session = requests.Session()

    def call(method, path, body=None):
        # verify=CA file on each call: the HTTPS certificate must be signed by our CA. (Not
        # session.verify: REQUESTS_CA_BUNDLE in the environment would override it.)
        response = session.request(method, f"{api}/{path}", json=body, verify=tls.CA_FILE, timeout=10)
        if response.status_code not in (200, 201, 204, 404 if method == "DELETE" else 0):
            response.raise_for_status()

    for vhost in ("orders", "reports"):
        call("PUT", f"vhosts/{vhost}")
    call("PUT", "exchanges/orders/orders", {"type": "topic", "durable": True})
    for queue, key in (("orders.work", "eu.#"), ("orders.audit", "#")):
        call("PUT", f"queues/orders/{queue}", {"durable": True})
        call("POST", f"bindings/orders/e/orders/q/{queue}", {"routing_key": key})
    print(" [x] vhost 'orders': exchange 'orders' -> queues 'orders.work' (eu.#), 'orders.audit' (#); vhost 'reports'")

    for user, (variable, vhost, permissions) in USERS.items():
        password = os.environ.get(variable)
        if not password:
            raise SystemExit(f"Set {variable}: the password for {user} (generate one; keep it out of the code).")
        call("PUT", f"users/{user}", {"password": password, "tags": ""})  # no tags: no management UI
        call("PUT", f"permissions/{vhost}/{user}", permissions)
        print(f" [x] user {user}: vhost '{vhost}', configure {permissions['configure']!r}, "
              f"write {permissions['write']!r}, read {permissions['read']!r}")
    for user, topic in TOPIC_PERMISSIONS.items():
        call("PUT", f"topic-permissions/orders/{user}", topic)
        print(f" [x] user {user}: topic permission on '{topic['exchange']}', write {topic['write']!r}")

    # 'guest' has a password everyone knows. It may only log in from localhost (loopback_users),
    # but a broker you run for real should not have it at all.
    call("DELETE", "users/guest")
    print(" [x] user guest deleted")


if __name__ == "__main__":
    main()
