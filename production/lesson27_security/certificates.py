"""Lesson 27, a throwaway certificate authority and the certificates it signs.

    python certificates.py --out certs

Writes ca.pem (what clients trust), server.pem + server.key (RabbitMQ's, for the name
localhost) and client.pem + client.key (the application's). For a course and for tests only:
in production the certificates come from your organisation's CA or from cert-manager, Vault,
Let's Encrypt...
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
    parser.add_argument("--client-name", default="orders-app", help="the client certificate's name")
    args = parser.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="Task queues course throwaway CA")
    course = {"organization_name": "Task queues course", "organization_unit_name": "lesson 27"}
    server = ca.issue_cert(*args.server_name, common_name=args.server_name[0], **course)
    client = ca.issue_cert(args.client_name, common_name=args.client_name, **course)

    ca.cert_pem.write_to_path(str(out / "ca.pem"))
    server.cert_chain_pems[0].write_to_path(str(out / "server.pem"))
    server.private_key_pem.write_to_path(str(out / "server.key"))
    client.cert_chain_pems[0].write_to_path(str(out / "client.pem"))
    client.private_key_pem.write_to_path(str(out / "client.key"))
    for key in ("server.key", "client.key"):
        os.chmod(out / key, 0o600)  # private keys: readable by their owner only

    print(f" [x] CA certificate:     {out / 'ca.pem'}")
    print(f" [x] Server certificate: {out / 'server.pem'} + server.key (for {', '.join(args.server_name)})")
    print(f" [x] Client certificate: {out / 'client.pem'} + client.key (for {args.client_name!r})")


if __name__ == "__main__":
    main()
