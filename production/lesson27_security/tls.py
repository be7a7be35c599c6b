"""Lesson 27: where the TLS files and the secrets come from, and the TLS context every client uses.

Every address, user and password comes from the environment (or a secrets manager that fills
it), never from the code. The demo sets these variables; set them yourself to run a role alone:

    AMQPS_URL              amqps://USER:PASSWORD@localhost:5671/VHOST   (5671: the AMQPS port)
    MANAGEMENT_HTTPS_URL   https://USER:PASSWORD@localhost:15671/api/
    TLS_CA_FILE            certs/ca.pem       the CA that signed the server's certificate
    TLS_CERT_FILE          certs/orders-app.pem   this application's certificate (the Celery
    TLS_KEY_FILE           certs/orders-app.key   app: certs/reports-app.pem) ... and its key
"""

import os
import ssl
import sys
from pathlib import Path
from urllib.parse import urlsplit

CA_FILE = os.environ.get("TLS_CA_FILE", "certs/ca.pem")
CERT_FILE = os.environ.get("TLS_CERT_FILE", "certs/orders-app.pem")
KEY_FILE = os.environ.get("TLS_KEY_FILE", "certs/orders-app.key")


def secret_url(name):
    """A URL with a password in it, from the environment: there is no default to fall back on."""
    url = os.environ.get(name)
    if not url:
        sys.exit(f"Set {name} (it holds a user and password, so it has no default in the code).")
    return url


def ssl_context(ca_file=CA_FILE, cert_file=CERT_FILE, key_file=KEY_FILE):
    """Verify the server (signed by our CA, and the right host name); show our own certificate."""
    for path in (ca_file, cert_file, key_file):
        if path and not Path(path).is_file():
            sys.exit(f"The TLS file {path} does not exist. Make the certificates first "
                     "(python certificates.py) or fix the TLS_* variables.")
    context = ssl.create_default_context(cafile=ca_file)  # CERT_REQUIRED and check_hostname on
    if cert_file:
        try:
            context.load_cert_chain(cert_file, key_file)
        except ssl.SSLError as exc:
            sys.exit(f"The key {key_file} does not match the certificate {cert_file} ({exc.reason}).")
    return context


def kombu_ssl(url):
    """The same TLS settings for kombu's Connection(ssl=...) and Celery's broker_use_ssl."""
    return {
        "ca_certs": CA_FILE,
        "certfile": CERT_FILE,
        "keyfile": KEY_FILE,
        "cert_reqs": ssl.CERT_REQUIRED,
        # The name the server's certificate must carry: say it. Without server_hostname,
        # py-amqp checks the CA but not the name; with None, kombu takes the URL's host after
        # turning 'localhost' into '127.0.0.1', which a certificate for localhost does not name.
        "server_hostname": urlsplit(url).hostname,
    }
