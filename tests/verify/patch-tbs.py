#!/usr/bin/env python3
"""Re-signs a certificate after replacing its serial number or validity
encoding, for profile-strict fixtures that openssl's CLI refuses to make
(GeneralizedTime before 2050, fractional seconds, negative serials).

usage: patch-tbs.py IN.pem ISSUER.key OUT.pem [--serial-hex [-]HEX]
                    [--not-before TAG:TEXT] [--not-after TAG:TEXT]
TAG is utc or gen; TEXT the exact time string ("20300101000000.5Z").
The signature algorithm must be ecdsa-with-SHA256 (the fixtures' keys).
"""
import argparse
import base64
import subprocess
import tempfile


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(b)]) + b


def tlv(tag, body):
    return bytes([tag]) + der_len(len(body)) + body


def parse(buf, off=0):
    """-> (tag, header_len, body_len) of the TLV at off."""
    tag, n = buf[off], buf[off + 1]
    if n < 0x80:
        return tag, 2, n
    k = n & 0x7f
    return tag, 2 + k, int.from_bytes(buf[off + 2:off + 2 + k], 'big')


def children(buf):
    out, off = [], 0
    while off < len(buf):
        _, h, n = parse(buf, off)
        out.append(buf[off:off + h + n])
        off += h + n
    return out


def body(el):
    _, h, _ = parse(el)
    return el[h:]


def integer(hexstr):
    neg = hexstr.startswith('-')
    v = int(hexstr.lstrip('-'), 16)
    v = -v if neg else v
    n = max(1, (v.bit_length() + 8) // 8)
    return tlv(0x02, v.to_bytes(n, 'big', signed=True))


def time_el(spec):
    tag, text = spec.split(':', 1)
    return tlv(0x17 if tag == 'utc' else 0x18, text.encode('ascii'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('inp')
    ap.add_argument('key')
    ap.add_argument('out')
    ap.add_argument('--serial-hex')
    ap.add_argument('--not-before')
    ap.add_argument('--not-after')
    a = ap.parse_args()
    der = subprocess.run(['openssl', 'x509', '-in', a.inp, '-outform', 'DER'], check=True,
                         capture_output=True).stdout
    tbs, alg, _sig = children(body(der))
    parts = children(body(tbs))
    i = 1 if parts[0][0] == 0xa0 else 0          # [0] version present?
    if a.serial_hex:
        parts[i] = integer(a.serial_hex)
    nb, na = children(body(parts[i + 3]))
    parts[i + 3] = tlv(0x30, (time_el(a.not_before) if a.not_before else nb) +
                       (time_el(a.not_after) if a.not_after else na))
    new_tbs = tlv(0x30, b''.join(parts))
    with tempfile.NamedTemporaryFile() as f:
        f.write(new_tbs)
        f.flush()
        sig = subprocess.run(['openssl', 'dgst', '-sha256', '-sign', a.key, f.name], check=True,
                             capture_output=True).stdout
    cert = tlv(0x30, new_tbs + alg + tlv(0x03, b'\x00' + sig))
    b64 = base64.encodebytes(cert).decode().replace('\n', '')
    with open(a.out, 'w') as f:
        f.write('-----BEGIN CERTIFICATE-----\n')
        f.write('\n'.join(b64[k:k + 64] for k in range(0, len(b64), 64)) + '\n')
        f.write('-----END CERTIFICATE-----\n')


if __name__ == '__main__':
    main()
