"""Lesson 27: the management HTTP API over HTTPS, with the server's certificate checked.

    python management_https.py

MANAGEMENT_HTTPS_URL holds the user and password (https://USER:PASSWORD@localhost:15671/api/);
TLS_CA_FILE is the CA that signed the server's certificate.
"""

import requests

import tls


def main():
    url = tls.secret_url("MANAGEMENT_HTTPS_URL")
    # verify=CA file: check the server's certificate against our CA (never verify=False).
    overview = requests.get(url.rstrip("/") + "/overview", verify=tls.CA_FILE, timeout=10)
    overview.raise_for_status()
    data = overview.json()
    print(f" [x] HTTPS management API of {data['node']} (RabbitMQ {data['rabbitmq_version']}), certificate verified")
    for listener in data["listeners"]:
        print(f" [.] listener: {listener['protocol']:<10} port {listener['port']}")


if __name__ == "__main__":
    main()
