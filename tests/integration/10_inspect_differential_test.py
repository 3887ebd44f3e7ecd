"""Differential test: eku inspect against `openssl x509` on every certificate of
the external corpora (../shared/testdata) and the system bundle.

For each certificate OpenSSL can parse, eku's serial, validity dates, eku_class
and SANs must match what `openssl x509` prints. Inputs OpenSSL refuses must give
eku errors (exit 2 with one line naming the file), never a crash.
"""
import datetime
import ipaddress
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import SHARED, run

TESTDATA = SHARED / "testdata"
# Every corpus test skips with this reason in a checkout without the corpora.
NO_CORPUS = (f"{TESTDATA} absent: external corpora (OpenSSL, zlint, pkilint, NIST PKITS) "
             "not available; see README 'Development'")
BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

EKU_NAMES = {
    "TLS Web Server Authentication": "server",
    "TLS Web Client Authentication": "client",
    "Any Extended Key Usage": "any",
}


def corpus_files():
    files = []
    for sub, pattern in (("openssl-certs", "*.pem"), ("zlint-eku", "**/*.pem"),
                         ("pkilint-typed", "**/*.crttest"), ("nist-pkits/certs", "*.crt")):
        files += sorted((TESTDATA / sub).glob(pattern))
    return files


def split_bundle(tmp_path):
    text = BUNDLE.read_text()
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n", text, re.S)
    out = []
    for i, b in enumerate(blocks):
        p = tmp_path / f"system-{i:03d}.pem"
        p.write_text(b)
        out.append(p)
    return out


def openssl_facts(path):
    """Facts as `openssl x509` prints them, or None when OpenSSL refuses the file."""
    inform = ["-inform", "DER"] if path.suffix == ".crt" else []
    r = run(["openssl", "x509", "-noout", "-serial", "-startdate", "-enddate",
             "-ext", "extendedKeyUsage,subjectAltName", "-in", str(path)] + inform)
    if r.returncode != 0:
        return None
    out = r.stdout
    facts = {"serial": re.search(r"^serial=(.*)$", out, re.M).group(1)}
    for key, field in (("not_before", "notBefore"), ("not_after", "notAfter")):
        raw = re.search(rf"^{field}=(.*)$", out, re.M).group(1)
        t = datetime.datetime.strptime(raw.replace("  ", " "), "%b %d %H:%M:%S %Y GMT")
        facts[key] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    eku = re.search(r"X509v3 Extended Key Usage:.*?\n\s+(.*)\n", out)
    if eku is None:
        facts["eku_class"] = "none"
    else:
        names = {EKU_NAMES.get(n.strip(), "other") for n in eku.group(1).split(",")}
        if {"server", "client"} <= names:
            facts["eku_class"] = "server_client"
        elif "server" in names:
            facts["eku_class"] = "server_only"
        elif "client" in names:
            facts["eku_class"] = "client_only"
        elif "any" in names:
            facts["eku_class"] = "any"
        else:
            facts["eku_class"] = "other"
    # A separate run: OpenSSL 3.0's x509 app evaluates -purpose on a copy
    # stripped of extensions when -ext is on the same command line.
    purpose = run(["openssl", "x509", "-noout", "-purpose", "-in", str(path)] + inform).stdout
    facts["can_act_as"] = {
        "server": re.search(r"^SSL server : Yes", purpose, re.M) is not None,
        "client": re.search(r"^SSL client : Yes", purpose, re.M) is not None}
    san = re.search(r"X509v3 Subject Alternative Name:.*?\n\s+(.*)\n", out)
    facts["san"] = sorted(parse_san(san.group(1))) if san else []
    return facts


def parse_san(text):
    for item in text.split(", "):
        kind, _, value = item.partition(":")
        if kind == "DNS":
            yield ("dns", value)
        elif kind == "IP Address":
            yield ("ip", str(ipaddress.ip_address(value)))
        elif kind == "URI":
            yield ("uri", value)
        elif kind == "email":
            yield ("email", value)


def eku_facts(eku_bin, paths):
    """One eku run over many files; returns {source: [cert objects]} and stderr."""
    r = run([eku_bin, "inspect", "--no-system", "--format", "jsonl"] + [str(p) for p in paths])
    assert r.returncode in (0, 2), f"eku crashed or failed: rc={r.returncode} {r.stderr[-2000:]}"
    by_source = {}
    for line in r.stdout.splitlines():
        c = json.loads(line)
        by_source.setdefault(c["source"], []).append(c)
    return by_source, r.stderr


@pytest.mark.skipif(not TESTDATA.is_dir(), reason=NO_CORPUS)
def test_inspect_agrees_with_openssl_x509(eku_bin, tmp_path):
    files = corpus_files()
    if BUNDLE.exists():
        files += split_bundle(tmp_path)
    by_source, stderr = eku_facts(eku_bin, files)
    compared, refused, mismatches = 0, 0, []
    for path in files:
        want = openssl_facts(path)
        got = by_source.get(str(path))
        if want is None:
            refused += 1
            # OpenSSL cannot parse it: eku must say so about this very file.
            if got is None:
                assert str(path) in stderr, f"{path}: refused by OpenSSL, no eku error line"
            continue
        assert got, f"{path}: OpenSSL reads it but eku reported no certificate"
        c = got[0]
        mine = {"serial": c["serial"], "not_before": c["not_before"], "not_after": c["not_after"],
                "eku_class": c["eku_class"], "can_act_as": c["can_act_as"],
                "san": sorted((s["type"], s["value"]) for s in c["san"])}
        if mine != want:
            mismatches.append((str(path), mine, want))
        compared += 1
    print(f"\ndifferential: compared {compared} certificates with openssl x509 "
          f"({refused} inputs refused by OpenSSL and reported as errors by eku)")
    assert not mismatches, "\n".join(f"{p}:\n  eku     {m}\n  openssl {w}" for p, m, w in mismatches[:10])
    assert compared >= 800, f"only {compared} certificates compared; corpora incomplete?"


@pytest.mark.skipif(not TESTDATA.is_dir(), reason=NO_CORPUS)
def test_every_corpus_file_is_reported(eku_bin):
    """Every input gives a certificate or exactly one error line; never silence."""
    files = corpus_files()
    by_source, stderr = eku_facts(eku_bin, files)
    for path in files:
        if str(path) not in by_source:
            lines = [l for l in stderr.splitlines() if l.startswith(f"eku inspect: error: {path}")]
            assert len(lines) >= 1, f"{path}: neither a certificate nor an error"


@pytest.mark.skipif(not TESTDATA.is_dir(), reason=NO_CORPUS)
def test_crls_are_clear_errors(eku_bin):
    """CRLs are not certificates: one clear error each, exit 2, no crash."""
    crls = sorted((TESTDATA / "nist-pkits" / "crls").glob("*.crl"))[:40]
    r = run([eku_bin, "inspect", "--no-system"] + [str(p) for p in crls])
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == len(crls)


def test_mutated_corpus_never_crashes(eku_bin, tmp_path):
    """Truncations and bit flips of real certificates: errors or certificates,
    never a signal. Deterministic (seeded) so a failure reproduces."""
    import random
    rng = random.Random(20261127)
    seeds = [p for p in (TESTDATA / "openssl-certs").glob("*.pem")][:20] if TESTDATA.is_dir() else []
    seeds += sorted((Path(__file__).parents[1] / "data").glob("*.p*"))
    paths = []
    for i, seed in enumerate(seeds):
        blob = seed.read_bytes()
        for j in range(10):
            b = bytearray(blob)
            if j % 2 == 0 and len(b) > 1:
                b = b[: rng.randrange(1, len(b))]
            for _ in range(rng.randrange(1, 8)):
                if b:
                    b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            p = tmp_path / f"m{i:03d}-{j}{seed.suffix}"
            p.write_bytes(bytes(b))
            paths.append(p)
    r = run([eku_bin, "inspect", "--no-system", "--format", "jsonl"] + [str(p) for p in paths])
    assert r.returncode in (0, 2), r.stderr[-2000:]
    reported = set(json.loads(l)["source"] for l in r.stdout.splitlines())
    for p in paths:
        assert str(p) in reported or str(p) in r.stderr, f"{p}: silently skipped"


@pytest.mark.skipif(not TESTDATA.is_dir(), reason=NO_CORPUS)
def test_trusted_certificate_settings_match_index(eku_bin):
    """aux_trust of TRUSTED CERTIFICATE blocks agrees with OpenSSL's INDEX.csv."""
    import csv
    long_to_short = {"TLS Web Server Authentication": "serverAuth",
                     "TLS Web Client Authentication": "clientAuth",
                     "Any Extended Key Usage": "anyExtendedKeyUsage"}
    rows = [r for r in csv.DictReader(open(TESTDATA / "openssl-certs" / "INDEX.csv"))
            if r["pem_label"] == "TRUSTED CERTIFICATE"]
    paths = [TESTDATA / "openssl-certs" / r["file"] for r in rows]
    by_source, _ = eku_facts(eku_bin, paths)
    for r, p in zip(rows, paths):
        want = {k: sorted(long_to_short.get(x.strip(), x.strip()) for x in r[col].split(",") if x.strip())
                for k, col in (("trusted", "aux_trusted_uses"), ("rejected", "aux_rejected_uses"))}
        got = by_source[str(p)][0]["aux_trust"]
        assert {k: sorted(v) for k, v in got.items()} == want, p
    assert len(rows) >= 40
