"""Lesson 27: connect to RabbitMQ over TLS with pika, and see what a TLS failure looks like.

    python tls_check.py
    python tls_check.py --host 127.0.0.1     # not the certificate's name

The settings come from the environment (see tls.py): AMQPS_URL and the TLS_* files.
"""

import argparse
import ssl

import pika
import pika.exceptions

import tls


def main(argv=None):
    parser = argparse.ArgumentParser(description="Open an AMQPS connection and report on it.")
    parser.add_argument("--host", help="connect to this host name instead of the URL's")
    parser.add_argument("--ca", default=tls.CA_FILE, help="CA file to trust ('system': the system's CAs only)")
    parser.add_argument("--cert", default=tls.CERT_FILE, help="client certificate ('none': send none)")
    parser.add_argument("--key", default=tls.KEY_FILE, help="client private key")
    args = parser.parse_args(argv)

    parameters = pika.URLParameters(tls.secret_url("AMQPS_URL"))
    host = args.host or parameters.host
    parameters.host = host
    cert = None if args.cert == "none" else args.cert
    context = tls.ssl_context(None if args.ca == "system" else args.ca, cert, args.key if cert else None)
    # server_hostname: the name the server's certificate must carry (checked by the context).
    parameters.ssl_options = pika.SSLOptions(context, server_hostname=host)

    try:
        connection = pika.BlockingConnection(parameters)
    except (pika.exceptions.AMQPConnectionError, ssl.SSLError) as exc:
        print(f" [!] No TLS connection to {host}:{parameters.port}: {explain(exc, sent_certificate=bool(cert))}")
        raise SystemExit(1) from None
    print(f" [x] Connected over TLS to {host}:{parameters.port}: the server's certificate is "
          "signed by our CA and names this host")
    connection.close()


def explain(exc, sent_certificate):
    """The TLS reason inside pika's connection error, in a sentence."""
    text = repr(exc)
    if "Hostname mismatch" in text or "IP address mismatch" in text:
        return "the server's certificate does not name this host (hostname mismatch)."
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return "the server's certificate is not signed by a CA we trust (certificate verify failed)."
    if not sent_certificate and ("CERTIFICATE_REQUIRED" in text or "EOF" in text):
        # TLS 1.3: the server's alert, or only the closed connection, depending on timing.
        return "the server requires a client certificate and we sent none."
    if "UNKNOWN_CA" in text:
        return "the server does not trust our client certificate's CA."
    return text


if __name__ == "__main__":
    main()
