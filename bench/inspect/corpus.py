"""Benchmark corpora for bench/inspect/run.py (issue 10).

Generated corpus: the first N certificates of one deterministic sequence of
distinct leaves from four private hierarchies (root + issuing CA each):

  A  RSA 3072 root  -> ECDSA P-256 issuing CA -> leaves with P-256 keys
  B  P-256 root     -> P-256 issuing CA       -> leaves with RSA 2048 keys
  C  RSA 2048 root  -> RSA 2048 issuing CA    -> leaves with RSA 2048 keys
  D  P-256 root     -> P-256 issuing CA       -> leaves with P-256 / RSA 3072 keys

Issuers are picked with weights 3:2:1:2, so one leaf in eight carries an RSA
signature (RSA signing is ~6x slower than P-256 in pyca; that weight keeps 1M
certificates feasible on 2 cores). Leaves carry what a public TLS leaf
carries: SAN with 1-5 DNS names, EKU serverAuth or serverAuth+clientAuth,
keyUsage, basicConstraints CA:false, AKI/SKI, AIA (OCSP + caIssuers), CRL
distribution point, certificate policies; notBefore spread over 2025-2026,
lifetimes of 90, 199 or 397 days (so notAfter spreads into 2027).

Leaf KEYS are reused: seven keys for the whole sequence. Certificates are
distinct by serial, subject, SAN, validity and issuer, not by key; an
inspector that caches per key would look faster than it is, eku does not.

Cache layout (under --cache, default /var/tmp/eku-bench), keyed by VERSION:
  v1/pki/      CA and leaf keys, roots.pem, chain.pem (the 4 issuing CAs)
  v1/blocks/   block-NNNNN.pem: 1,000 leaves each, generated in parallel
  v1/gen-N/bundle/part-NNNN.pem   the first N leaves, 10,000 per file
  v1/gen-N/dir/cNNNNNNN.pem       the same leaves, one file each (N <= 100k)
  v1/gen-N/ct/page-NNNN.json      the same leaves as Certificate Transparency
                                  get-entries pages (RFC 6962 4.6) of 1,000
                                  x509_entry entries, each with its own chain
                                  [issuing CA, root] in extra_data (N <= 100k)
Real corpora (normalised to PEM bundles so every tool reads the same bytes):
  v1/testdata/bundle/   every certificate under ../shared/testdata
  v1/system/bundle/     the system bundle's certificates
"""
import datetime
import hashlib
import multiprocessing
import os
import random
import re
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

VERSION = "v1"
BLOCK = 1000
PART = 10000
DIR_MAX = 100000
CT_PAGE = 1000
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

# name, root key, issuing key, leaf keys, weight, domain
HIERARCHIES = [
    ("A", "rsa3072", "p256", ["p256-1", "p256-2"], 3, "alpha.example"),
    ("B", "p256", "p256", ["rsa2048-1", "rsa2048-2"], 2, "bravo.example"),
    ("C", "rsa2048", "rsa2048", ["rsa2048-1"], 1, "charlie.example"),
    ("D", "p256", "p256", ["p256-3", "p256-4", "rsa3072-1"], 2, "delta.example"),
]
LEAF_KEYS = ["p256-1", "p256-2", "p256-3", "p256-4", "rsa2048-1", "rsa2048-2", "rsa3072-1"]
EPOCH = datetime.datetime(2025, 1, 1)
LIFETIMES = [90, 199, 397]
BR_DV = x509.ObjectIdentifier("2.23.140.1.2.1")


def _new_key(kind):
    if kind.startswith("p256"):
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(65537, int(kind[3:7]))


def _save_key(key, path):
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _load_key(path):
    return serialization.load_pem_private_key(path.read_bytes(), None)


def _name(cn, org):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "XX"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca_cert(subject, issuer, pub, signer, pathlen, issuer_pub):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(pub).serial_number(x509.random_serial_number())
         .not_valid_before(datetime.datetime(2024, 1, 1))
         .not_valid_after(datetime.datetime(2034, 1, 1))
         .add_extension(x509.BasicConstraints(ca=True, path_length=pathlen), critical=True)
         .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                        critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_pub),
                        critical=False))
    return b.sign(signer, hashes.SHA256())


def ensure_pki(base: Path):
    """CA hierarchies and leaf keys, made once per cache (atomic via rename)."""
    pki = base / "pki"
    if (pki / "done").exists():
        return pki
    tmp = base / f"pki.tmp{os.getpid()}"
    tmp.mkdir(parents=True)
    for k in LEAF_KEYS:
        _save_key(_new_key(k), tmp / f"leaf-{k}.key")
    roots, chain = [], []
    for name, rkind, ikind, _, _, _ in HIERARCHIES:
        rkey, ikey = _new_key(rkind), _new_key(ikind)
        rname = _name(f"Bench Root {name}", f"Bench PKI {name}")
        iname = _name(f"Bench Issuing CA {name}1", f"Bench PKI {name}")
        root = _ca_cert(rname, rname, rkey.public_key(), rkey, 1, rkey.public_key())
        inter = _ca_cert(iname, rname, ikey.public_key(), rkey, 0, rkey.public_key())
        _save_key(ikey, tmp / f"issuing-{name}.key")
        (tmp / f"issuing-{name}.pem").write_bytes(inter.public_bytes(serialization.Encoding.PEM))
        roots.append(root.public_bytes(serialization.Encoding.PEM))
        chain.append(inter.public_bytes(serialization.Encoding.PEM))
    (tmp / "roots.pem").write_bytes(b"".join(roots))
    (tmp / "chain.pem").write_bytes(b"".join(chain))
    (tmp / "done").write_text("ok\n")
    try:
        tmp.rename(pki)
    except OSError:  # another process won the race: use its PKI
        pass
    return pki


class _Signer:
    """Per-process state for block generation: keys and issuers loaded once."""

    def __init__(self, pki: Path):
        self.leaf = {k: _load_key(pki / f"leaf-{k}.key").public_key() for k in LEAF_KEYS}
        self.ski = {k: x509.SubjectKeyIdentifier.from_public_key(p) for k, p in self.leaf.items()}
        self.issuers = []
        for name, _, _, keys, weight, domain in HIERARCHIES:
            cert = x509.load_pem_x509_certificate((pki / f"issuing-{name}.pem").read_bytes())
            ikey = _load_key(pki / f"issuing-{name}.key")
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(cert.public_key())
            base = f"http://pki.{domain}"
            aia = x509.AuthorityInformationAccess([
                x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                       x509.UniformResourceIdentifier(f"http://ocsp.{domain}")),
                x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                       x509.UniformResourceIdentifier(f"{base}/{name}1.crt"))])
            crl = x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(f"{base}/{name}1.crl")], None, None, None)])
            pol = x509.CertificatePolicies([
                x509.PolicyInformation(BR_DV, None),
                x509.PolicyInformation(x509.ObjectIdentifier(f"1.3.6.1.4.1.55555.{ord(name)}.1"),
                                       [f"{base}/cps"])])
            for _ in range(weight):
                self.issuers.append((name, cert.subject, ikey, keys, domain, aki, aia, crl, pol))

    def leaf_cert(self, index, rng):
        name, issuer, ikey, keys, domain, aki, aia, crl, pol = self.issuers[index % len(self.issuers)]
        kname = keys[rng.randrange(len(keys))]
        host = f"h{index}.s{rng.randrange(1000)}.{domain}"
        sans = [host] + [f"alt{j}-{index}.{domain}" for j in range(rng.randrange(5))]
        both = rng.random() < 0.4
        eku = [ExtendedKeyUsageOID.SERVER_AUTH] + ([ExtendedKeyUsageOID.CLIENT_AUTH] if both else [])
        is_rsa = kname.startswith("rsa")
        nb = EPOCH + datetime.timedelta(seconds=rng.randrange(730 * 86400))
        na = nb + datetime.timedelta(days=LIFETIMES[rng.randrange(3)])
        serial = (index << 64) | rng.getrandbits(64) | 1
        b = (x509.CertificateBuilder()
             .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
             .issuer_name(issuer).public_key(self.leaf[kname]).serial_number(serial)
             .not_valid_before(nb).not_valid_after(na)
             .add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), False)
             .add_extension(x509.ExtendedKeyUsage(eku), False)
             .add_extension(x509.KeyUsage(True, False, is_rsa, False, False, False, False,
                                          False, False), True)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
             .add_extension(aki, False).add_extension(self.ski[kname], False)
             .add_extension(aia, False).add_extension(crl, False).add_extension(pol, False))
        return b.sign(ikey, hashes.SHA256())


_SIGNER = None


def _block_worker(args):
    global _SIGNER
    pki, blocks, i = args
    if _SIGNER is None:
        _SIGNER = _Signer(Path(pki))
    rng = random.Random(f"eku-bench-{VERSION}-{i}")
    out = [_SIGNER.leaf_cert(i * BLOCK + j, rng).public_bytes(serialization.Encoding.PEM)
           for j in range(BLOCK)]
    dest = Path(blocks) / f"block-{i:05d}.pem"
    tmp = dest.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(b"".join(out))
    tmp.rename(dest)
    return i


def ensure_blocks(base: Path, n, log):
    pki = ensure_pki(base)
    blocks = base / "blocks"
    blocks.mkdir(exist_ok=True)
    need = [i for i in range((n + BLOCK - 1) // BLOCK) if not (blocks / f"block-{i:05d}.pem").exists()]
    if need:
        log(f"generating {len(need) * BLOCK} leaves ({len(need)} blocks) on 2 processes ...")
        with multiprocessing.get_context("fork").Pool(2) as pool:
            for _ in pool.imap_unordered(_block_worker, [(str(pki), str(blocks), i) for i in need]):
                pass
    return pki, blocks


PEM_RE = re.compile(rb"-----BEGIN CERTIFICATE-----\r?\n.*?-----END CERTIFICATE-----\r?\n", re.S)


def _pem_blocks(path):
    return PEM_RE.findall(path.read_bytes())


def _write_parts(dest: Path, pems):
    dest.mkdir(parents=True, exist_ok=True)
    for p in range(0, len(pems), PART):
        (dest / f"part-{p // PART:04d}.pem").write_bytes(b"".join(pems[p:p + PART]))


def generated(base: Path, n, log, with_dir=True):
    """The first n generated leaves as bundle files (and one file each)."""
    pki, blocks = ensure_blocks(base, n, log)
    top = base / f"gen-{n}"
    if not (top / "done").exists():
        log(f"writing corpus gen-{n} ...")
        bundle = top / "bundle"
        bundle.mkdir(parents=True, exist_ok=True)
        part, count = [], 0
        for i in range((n + BLOCK - 1) // BLOCK):
            pems = _pem_blocks(blocks / f"block-{i:05d}.pem")[:n - count]
            part += pems
            count += len(pems)
            if len(part) >= PART or count == n:
                (bundle / f"part-{(count - 1) // PART:04d}.pem").write_bytes(b"".join(part))
                part = []
        if n <= DIR_MAX and with_dir:
            d = top / "dir"
            d.mkdir(exist_ok=True)
            k = 0
            for f in sorted(bundle.iterdir()):
                for pem in _pem_blocks(f):
                    (d / f"c{k:07d}.pem").write_bytes(pem)
                    k += 1
        (top / "done").write_text("ok\n")
    return {"bundle": top / "bundle", "dir": top / "dir" if (top / "dir").exists() else None,
            "roots": pki / "roots.pem", "chain": pki / "chain.pem"}


def _vec24(b):
    return len(b).to_bytes(3, "big") + b


def ct_pages(base: Path, n, log):
    """The first n generated leaves as CT get-entries pages; each entry's
    extra_data is the chain of that leaf's own issuer (consecutive entries
    share it only when their issuers happen to be the same, as in a log)."""
    import base64
    import json
    g = generated(base, n, log, with_dir=False)
    top = base / f"gen-{n}" / "ct"
    if (top / "done").exists():
        return top
    log(f"writing corpus gen-ct-{n} ...")
    top.mkdir(parents=True, exist_ok=True)
    pki = base / "pki"
    def certs(path):  # load_pem_x509_certificates is cryptography >= 39; Debian 12 has 38
        return [x509.load_pem_x509_certificate(b) for b in _pem_blocks(path)]
    roots = {c.subject.public_bytes(): c for c in certs(pki / "roots.pem")}
    chains = {}
    for c in certs(pki / "chain.pem"):
        root = roots[c.issuer.public_bytes()]
        der = _vec24(c.public_bytes(serialization.Encoding.DER)) + \
            _vec24(root.public_bytes(serialization.Encoding.DER))
        chains[c.subject.public_bytes()] = base64.b64encode(_vec24(der)).decode()
    entries, page = [], 0
    for f in sorted(g["bundle"].iterdir()):
        for leaf in certs(f):
            li = bytes([0, 0]) + (1767225600000).to_bytes(8, "big") + bytes([0, 0]) + \
                _vec24(leaf.public_bytes(serialization.Encoding.DER)) + b"\0\0"
            entries.append({"leaf_input": base64.b64encode(li).decode(),
                            "extra_data": chains[leaf.issuer.public_bytes()]})
            if len(entries) == CT_PAGE:
                (top / f"page-{page:04d}.json").write_text(json.dumps({"entries": entries}))
                entries, page = [], page + 1
    if entries:
        (top / f"page-{page:04d}.json").write_text(json.dumps({"entries": entries}))
    (top / "done").write_text("ok\n")
    return top


def _ders_from_file(path: Path):
    """Certificates in one file of a real corpus: PEM (CERTIFICATE or TRUSTED
    CERTIFICATE blocks, text before or after), else raw DER."""
    data = path.read_bytes()
    out = []
    for m in re.finditer(rb"-----BEGIN (TRUSTED )?CERTIFICATE-----(.*?)-----END", data, re.S):
        import base64
        try:
            der = base64.b64decode(re.sub(rb"\s+", b"", m.group(2)), validate=True)
        except ValueError:
            continue
        if m.group(1):  # TRUSTED CERTIFICATE: the certificate is the first SEQUENCE
            der = der[:_der_len(der)]
        out.append(der)
    if not out and data[:1] == b"\x30":
        out.append(data[:_der_len(data)])
    return out


def _der_len(der):
    if len(der) < 2:
        return len(der)
    b = der[1]
    if b < 0x80:
        return 2 + b
    k = b & 0x7F
    return 2 + k + int.from_bytes(der[2:2 + k], "big")


def _to_pem(der):
    import base64
    b = base64.encodebytes(der).replace(b"\n", b"")
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return b"-----BEGIN CERTIFICATE-----\n" + b"\n".join(lines) + b"\n-----END CERTIFICATE-----\n"


def real(base: Path, label, files, log):
    """A real corpus normalised to PEM bundles. Certificates pyca cannot parse
    (deliberately malformed ones) are dropped so every tool counts the same
    set; the count dropped is returned."""
    top = base / label
    meta = top / "done"
    if not meta.exists():
        log(f"normalising corpus {label} ...")
        pems, dropped, seen = [], 0, set()
        for f in files:
            for der in _ders_from_file(f):
                try:
                    x509.load_der_x509_certificate(der)
                except Exception:  # noqa: BLE001 - any refusal means "not benchmarkable"
                    dropped += 1
                    continue
                pems.append(_to_pem(der))
                seen.add(hashlib.sha256(der).digest())
        _write_parts(top / "bundle", pems)
        meta.write_text(f"{len(pems)} {dropped} {len(seen)}\n")
    count, dropped, distinct = (int(x) for x in meta.read_text().split())
    return {"bundle": top / "bundle", "dir": None, "count": count, "dropped": dropped,
            "distinct": distinct}


def cryptography_version():
    import cryptography
    return cryptography.__version__


def testdata_files(shared: Path):
    skip = {".csv", ".json", ".md", ".txt", ".crl", ".pkilint", ".zlint"}
    return sorted(p for p in shared.rglob("*") if p.is_file() and p.suffix not in skip
                  and p.name != "certdata.txt")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(generated(Path(sys.argv[2] if len(sys.argv) > 2 else "/var/tmp/eku-bench") / VERSION, n,
                    lambda m: print(m, file=sys.stderr)))
