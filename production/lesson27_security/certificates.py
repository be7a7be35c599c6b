"""Lesson 27, a throwaway certificate authority and the certificates it signs.

    python certificates.py --out certs

Writes ca.pem (what clients trust), server.pem + server.key (RabbitMQ's, for the name
localhost) and, for each application, NAME.pem + NAME.key: orders-app.pem for the orders
producer and worker, reports-app.pem for the Celery app. Each application shows its own
certificate, so the broker (and you, in the management UI) can tell them apart, and one can be
replaced without touching the other. For a course and for tests only: in production the certificates come
from your organisation's CA or from cert-manager, Vault, Let's Encrypt...
"""

import argparse
import os
from pathlib import Path

import trustme


def main(argv=None):
    parser = argparse.ArgumentParser(description="Make a throwaway CA and certificates signed by it.")
    parser.add_argument("--out", default="certs", help="folder for the files (created)")
    parser.add_argument("--server-name", nargs="+", default=["localhost"],
                        help="the name(s) clients connect to (e.g. localhost rabbitmq)")
    parser.add_argument("--client-name", nargs="+", default=["orders-app", "reports-app"],
                        help="one client certificate per application, by its name (its CN)")
    args = parser.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="Task queues course throwaway CA")
    course = {"organization_name": "Task queues course", "organization_unit_name": "lesson 27"}
    server = ca.issue_cert(*args.server_name, common_name=args.server_name[0], **course)

    ca.cert_pem.write_to_path(str(out / "ca.pem"))
    server.cert_chain_pems[0].write_to_path(str(out / "server.pem"))
    server.private_key_pem.write_to_path(str(out / "server.key"))
    for name in args.client_name:
        client = ca.issue_cert(name, common_name=name, **course)
        client.cert_chain_pems[0].write_to_path(str(out / f"{name}.pem"))
        client.private_key_pem.write_to_path(str(out / f"{name}.key"))
    for key in ["server", *args.client_name]:
        os.chmod(out / f"{key}.key", 0o600)  # private keys: readable by their owner only

    print(f" [x] CA certificate:     {out / 'ca.pem'}")
    print(f" [x] Server certificate: {out / 'server.pem'} + server.key (for {', '.join(args.server_name)})")
    for name in args.client_name:
        print(f" [x] Client certificate: {out / name}.pem + {name}.key (CN={name})")


if __name__ == "__main__":
    main()
