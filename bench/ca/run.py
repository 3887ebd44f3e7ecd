#!/usr/bin/python3
"""Benchmark `eku ca issue` against an `openssl ca` loop and easy-rsa, in the
same run, on the same disk, as issued client certificates per second.

Each tool does the same job per certificate: generate an ECDSA P-256 key,
certify it for clientAuth with a P-256 CA, and store key and certificate:
  eku       eku ca issue --profile client --san cN.example.com  (one process;
            SQLite WAL synchronous=FULL and fsync'd files: it pays for crash
            safety that the others do not offer)
  openssl   openssl req -new -newkey ec ... && openssl ca -batch (two processes,
            index.txt + serial file, an extensions section with clientAuth)
  easy-rsa  easyrsa build-client-full cN nopass (Debian package easy-rsa)
Where the time goes: eku makes about eight fsync/fdatasync calls per certificate
(two SQLite commits, three files, two directories); the others make none. Run
once on a real disk (default TMPDIR) and once with TMPDIR=/dev/shm (tmpfs, where
fsync is free) to separate the durability cost from the rest.
Rounds rotate the order; the table shows the median rate of the rounds and
the ratios eku/openssl and eku/easy-rsa. Not a test: numbers depend on the
machine. Usage: bench/ca/run.py [--eku build/eku] [--count 40] [--rounds 3]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EASYRSA = shutil.which("easyrsa") or "/usr/share/easy-rsa/easyrsa"

OPENSSL_CNF = """
[ ca ]
default_ca = ca_default
[ ca_default ]
dir = {d}
database = {d}/index.txt
serial = {d}/serial
new_certs_dir = {d}/newcerts
certificate = {d}/ca.crt
private_key = {d}/ca.key
default_md = sha256
default_days = 365
policy = policy_any
unique_subject = no
copy_extensions = copy
[ policy_any ]
commonName = supplied
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed: {r.stderr.strip()}")
    return r


def bench_eku(eku, work, n):
    d = work / "eku"
    sh([eku, "ca", "init", "-q", str(d)])
    t = time.perf_counter()
    for i in range(n):
        sh([eku, "ca", "issue", "--ca", str(d), "--profile", "client", "-q", "--san", f"c{i}.example.com"])
    return n / (time.perf_counter() - t)


def bench_openssl(work, n):
    d = work / "openssl"
    (d / "newcerts").mkdir(parents=True)
    (d / "index.txt").write_text("")
    (d / "serial").write_text("1000\n")
    cnf = d / "ca.cnf"
    cnf.write_text(OPENSSL_CNF.format(d=d))
    sh(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", str(d / "ca.key"), "-out", str(d / "ca.crt"), "-subj", "/CN=bench CA", "-days", "3650"])
    t = time.perf_counter()
    for i in range(n):
        key, csr, crt = d / f"c{i}.key", d / f"c{i}.csr", d / f"c{i}.crt"
        sh(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", str(key), "-out", str(csr), "-subj", f"/CN=c{i}.example.com",
            "-addext", f"subjectAltName=DNS:c{i}.example.com"])
        sh(["openssl", "ca", "-batch", "-notext", "-config", str(cnf), "-extensions", "client",
            "-in", str(csr), "-out", str(crt)])
    return n / (time.perf_counter() - t)


def bench_easyrsa(work, n):
    if not Path(EASYRSA).exists():
        return None
    d = work / "easyrsa"
    d.mkdir()
    env = {**os.environ, "EASYRSA_BATCH": "1", "EASYRSA_ALGO": "ec", "EASYRSA_CURVE": "prime256v1",
           "EASYRSA_PKI": str(d / "pki")}
    sh([EASYRSA, "init-pki"], env=env, cwd=d)
    sh([EASYRSA, "build-ca", "nopass"], env={**env, "EASYRSA_REQ_CN": "bench CA"}, cwd=d)
    t = time.perf_counter()
    for i in range(n):
        sh([EASYRSA, "build-client-full", f"c{i}.example.com", "nopass"], env=env, cwd=d)
    return n / (time.perf_counter() - t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eku", default=str(ROOT / "build" / "eku"))
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    if not Path(a.eku).exists():
        sys.exit(f"bench: {a.eku}: not built")
    if not Path(EASYRSA).exists():
        print("note: easy-rsa not installed (apt-get install easy-rsa); its column is skipped", file=sys.stderr)
    rates = {"eku": [], "openssl": [], "easy-rsa": []}
    runners = [("eku", lambda w: bench_eku(a.eku, w, a.count)), ("openssl", lambda w: bench_openssl(w, a.count)),
               ("easy-rsa", lambda w: bench_easyrsa(w, a.count))]
    for r in range(a.rounds):
        order = runners[r % 3:] + runners[:r % 3]
        for name, fn in order:
            with tempfile.TemporaryDirectory(prefix="eku-bench-ca-", dir=os.environ.get("TMPDIR")) as w:
                v = fn(Path(w))
            if v is not None:
                rates[name].append(v)
    med = {k: statistics.median(v) for k, v in rates.items() if v}
    where = os.environ.get("TMPDIR") or tempfile.gettempdir()
    print(f"certificates issued per second (median of {a.rounds} rounds, {a.count} each, ECDSA P-256, "
          f"clientAuth; in {where})")
    for k, v in med.items():
        print(f"  {k:9s} {v:8.1f}/s   rounds: {', '.join(f'{x:.1f}' for x in rates[k])}")
    if "openssl" in med:
        print(f"ratio eku/openssl-ca  {med['eku'] / med['openssl']:.2f}")
    if "easy-rsa" in med:
        print(f"ratio eku/easy-rsa    {med['eku'] / med['easy-rsa']:.2f}")


if __name__ == "__main__":
    main()
