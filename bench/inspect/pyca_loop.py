#!/usr/bin/env python3
"""Baseline (a) of bench/inspect/run.py: what a Python audit script does.

Per file: load_pem_x509_certificates, then per certificate read subject,
issuer, serial, validity, EKU, SAN and key type. Timed from inside the
process (interpreter start-up and imports excluded); prints one JSON line.

  python3 pyca_loop.py FILE...
  find DIR -type f | python3 pyca_loop.py -     (paths on stdin, one a line)
"""
import json
import re
import sys
import time

from cryptography import x509

PEM = re.compile(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)


def load_all(data):
    """load_pem_x509_certificates (cryptography >= 39); one block at a time
    on older versions (Debian 12 ships 38)."""
    if hasattr(x509, "load_pem_x509_certificates"):
        return x509.load_pem_x509_certificates(data)
    return [x509.load_pem_x509_certificate(m) for m in PEM.findall(data)]


def validity(cert):
    if hasattr(cert, "not_valid_before_utc"):  # cryptography >= 42
        return cert.not_valid_before_utc, cert.not_valid_after_utc
    return cert.not_valid_before, cert.not_valid_after


def facts(cert):
    try:
        eku = [o.dotted_string for o in
               cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value]
    except x509.ExtensionNotFound:
        eku = None
    try:
        san = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        san = []
    return (cert.subject.rfc4514_string(), cert.issuer.rfc4514_string(), cert.serial_number,
            *validity(cert), eku, san,
            type(cert.public_key()).__name__)


def main(paths):
    w0, c0 = time.monotonic(), time.process_time()
    certs = errors = server = 0
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        for cert in load_all(data):
            certs += 1
            try:  # a malformed extension in the real corpora: counted, not fatal
                f = facts(cert)
                server += f[5] is not None and "1.3.6.1.5.5.7.3.1" in f[5]
            except Exception:  # noqa: BLE001 - e.g. UnsupportedAlgorithm for ML-DSA keys
                errors += 1
    print(json.dumps({"certs": certs, "errors": errors, "server_auth": server,
                      "wall": time.monotonic() - w0, "cpu": time.process_time() - c0}))


if __name__ == "__main__":
    main(sys.stdin.read().splitlines() if sys.argv[1:] == ["-"] else sys.argv[1:])
