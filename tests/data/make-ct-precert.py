#!/usr/bin/env python3
"""Generates the CT fixtures: a throwaway CA (ct-ca.pem) and a precertificate
under it (precert-dual.pem: serverAuth + clientAuth, the critical CT poison
extension 1.3.6.1.4.1.11129.2.4.3, RFC 6962 3.1). Fixed dates; keys are not
kept. The get-entries pages themselves are built by the tests from these and
the other fixtures (tests/unit/test_ct.c, tests/integration/14_census_test.py)."""
import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HERE = Path(__file__).resolve().parent


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def main():
    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("eku Test CT CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(0x5eed)
          .not_valid_before(datetime.datetime(2026, 1, 1))
          .not_valid_after(datetime.datetime(2036, 1, 1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    pre = (x509.CertificateBuilder().subject_name(name("precert.example.test")).issuer_name(ca_name)
           .public_key(leaf_key.public_key()).serial_number(0x7ec)
           .not_valid_before(datetime.datetime(2026, 2, 1))
           .not_valid_after(datetime.datetime(2026, 5, 2))
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                 ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
           .add_extension(x509.SubjectAlternativeName([x509.DNSName("precert.example.test")]), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
           .add_extension(x509.PrecertPoison(), critical=True)
           .sign(ca_key, hashes.SHA256()))
    (HERE / "ct-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (HERE / "precert-dual.pem").write_bytes(pre.public_bytes(serialization.Encoding.PEM))


if __name__ == "__main__":
    main()
