"""eku census as a user runs it: text/json/csv over certificate files and CT
get-entries pages, JSON against docs/schema/census.schema.json, and bad inputs
with their exact messages and exit codes.

Expectations come from openssl (EKU, validity, basicConstraints of every
input), not from eku: the census must agree with an independent reading."""
import base64
import csv
import io
import json
import re
import struct
import subprocess
from collections import Counter

import pytest

from conftest import ROOT, run

DATA = ROOT / "tests" / "data"
AT = "2026-04-01"
MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
LEAVES = ["leaf-server-only.pem", "leaf-client-only.pem", "leaf-dual.pem", "leaf-none.pem",
          "leaf-any.pem", "leaf-other.pem", "leaf-dual-expired.pem", "leaf-fake-le-dual.pem",
          "leaf-fake-le-server.pem", "private-ca.pem", "selfsigned-dual.pem"]
TRUST = ["--no-system", "--public-root", f"letsencrypt={DATA / 'fake-le-root.pem'}",
         "--untrusted", str(DATA / "fake-le-r3.pem"), "--untrusted", str(DATA / "private-root.pem"),
         "--untrusted", str(DATA / "private-ca.pem")]


def census(eku_bin, *args):
    return run([eku_bin, "census", "--at", AT, *map(str, args)])


def openssl_facts(path):
    """(eku_class, issue month, is_ca) of a PEM certificate, read by openssl."""
    text = subprocess.run(["openssl", "x509", "-in", str(path), "-noout", "-text"], check=True,
                          capture_output=True, text=True).stdout
    nb = re.search(r"Not Before: (\w{3}) +\d+ [\d:]+ (\d{4})", text)
    month = f"{nb.group(2)}-{MONTHS[nb.group(1)]:02d}"
    m = re.search(r"X509v3 Extended Key Usage:.*\n\s*(.*)", text)
    is_ca = "CA:TRUE" in text
    if m is None:
        return "none", month, is_ca
    ekus = m.group(1)
    srv, cli = "TLS Web Server" in ekus, "TLS Web Client" in ekus
    cls = ("server_client" if srv and cli else "server_only" if srv else "client_only" if cli
           else "any" if "Any Extended Key Usage" in ekus else "other")
    return cls, month, is_ca


def der(name):
    return subprocess.run(["openssl", "x509", "-in", str(DATA / name), "-outform", "DER"],
                          check=True, capture_output=True).stdout


def vec24(b):
    return struct.pack(">I", len(b))[1:] + b


def x509_entry(leaf, chain, version=0, leaf_type=0):
    li = struct.pack(">BBQH", version, leaf_type, 1767225600000, 0) + vec24(leaf) + b"\0\0"
    return li, vec24(b"".join(vec24(c) for c in chain))


def precert_entry(pre, chain):
    li = struct.pack(">BBQH", 0, 0, 1767225600000, 1) + b"\xaa" * 32 + vec24(pre[4:44]) + b"\0\0"
    return li, vec24(pre) + vec24(b"".join(vec24(c) for c in chain))


def page(tmp_path, entries, name="page.json"):
    doc = {"entries": [{"leaf_input": base64.b64encode(li).decode(),
                        "extra_data": base64.b64encode(xd).decode()} for li, xd in entries]}
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p


def good_entries():
    return [x509_entry(der("leaf-dual.pem"), [der("private-ca.pem"), der("private-root.pem")]),
            precert_entry(der("precert-dual.pem"), [der("ct-ca.pem")])]


@pytest.fixture(scope="module")
def expected():
    facts = [openssl_facts(DATA / n) for n in LEAVES]
    rows = Counter((cls, month) for cls, month, ca in facts if not ca)
    return {"certificates": sum(1 for f in facts if not f[2]),
            "ca": sum(1 for f in facts if f[2]),
            "clientauth": sum(1 for cls, _, ca in facts
                              if not ca and cls in ("server_client", "client_only", "none")),
            "by_class_month": rows}


def test_json_matches_openssl_and_schema(eku_bin, expected):
    jsonschema = pytest.importorskip("jsonschema", reason="python3-jsonschema not installed")
    r = census(eku_bin, "--format", "json", *TRUST, *(DATA / n for n in LEAVES))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    schema = json.loads((ROOT / "docs" / "schema" / "census.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(doc, schema)
    t = doc["totals"]
    assert t["certificates"] == expected["certificates"] == 10
    assert t["ca_certificates"] == expected["ca"] == 1
    assert t["clientauth"] == expected["clientauth"] == 6
    assert sum(t["sunset"].values()) == t["certificates"]
    got = Counter()
    for row in doc["rows"]:
        got[(row["eku_class"], row["issue_month"])] += row["certificates"]
    assert got == expected["by_class_month"]
    # The sunset numbers of the public-like hierarchy (tests/unit/test_sunset.c).
    le = {r["eku_class"]: r for r in doc["rows"] if r["issuer"] == "letsencrypt"}
    assert le["server_client"]["loses_clientauth_at_renewal"] == 1
    assert le["server_only"]["sunset"]["broken"] == 1
    assert doc["clientauth_losses"] == [{"month": "2026-05", "certificates": 1}]
    assert {"month": "2025-01", "certificates": 1} in doc["expiries"]
    kinds = [r["issuer_kind"] for r in doc["rows"]]
    assert kinds == sorted(kinds, key=lambda k: k != "vendor")


def test_schema_rejects_a_broken_document(eku_bin):
    jsonschema = pytest.importorskip("jsonschema", reason="python3-jsonschema not installed")
    r = census(eku_bin, "--format", "json", "--no-system", DATA / "leaf-dual.pem")
    doc = json.loads(r.stdout)
    schema = json.loads((ROOT / "docs" / "schema" / "census.schema.json").read_text())
    doc["rows"][0]["issue_month"] = "2026-13"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_csv_and_text_agree_with_json(eku_bin):
    inputs = [*TRUST, *(DATA / n for n in LEAVES)]
    j = json.loads(census(eku_bin, "--format", "json", *inputs).stdout)
    r = census(eku_bin, "--format", "csv", *inputs)
    assert r.returncode == 0, r.stderr
    recs = list(csv.DictReader(io.StringIO(r.stdout)))
    total = next(x for x in recs if x["record"] == "total")
    assert int(total["certificates"]) == j["totals"]["certificates"]
    assert int(total["at_risk"]) == j["totals"]["sunset"]["at_risk"]
    rows = [x for x in recs if x["record"] == "row"]
    assert [(x["issuer"], x["month"], x["eku_class"]) for x in rows] == \
        [(x["issuer"], x["issue_month"], x["eku_class"]) for x in j["rows"]]
    assert sum(int(x["certificates"]) for x in recs if x["record"] == "expiry") == \
        j["totals"]["certificates"]
    t = census(eku_bin, *inputs)
    assert t.returncode == 0, t.stderr
    assert all(len(line) <= 80 for line in t.stdout.splitlines())
    assert re.search(r"still carry clientAuth +6 +60\.0%", t.stdout)
    assert re.search(r"^letsencrypt +2026-03 server_client +1 +1 +1 +0$", t.stdout, re.M)


def test_ct_page(eku_bin, tmp_path):
    p = page(tmp_path, good_entries())
    r = census(eku_bin, "--format", "json", "--no-system", p)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["totals"]["certificates"] == 2
    rows = {(x["issuer"], x["issue_month"], x["eku_class"]): x["certificates"] for x in doc["rows"]}
    # Chains come with the entries: both classify as private.
    assert rows == {("private", "2026-01", "server_client"): 1, ("private", "2026-02", "server_client"): 1}
    # --ct forces the reading; a .txt name changes nothing.
    txt = tmp_path / "page.txt"
    txt.write_bytes(p.read_bytes())
    r = census(eku_bin, "--format", "json", "--no-system", "--ct", txt)
    assert json.loads(r.stdout)["totals"]["certificates"] == 2


def test_large_inputs_read_in_parts_count_as_whole(eku_bin, tmp_path):
    """A PEM file larger than a part (256 KiB) is read in parts: its counts
    and errors are those of the same bytes read whole (standard input). A
    CT page that large is still a CT page."""
    blob = b"".join((DATA / n).read_bytes() for n in LEAVES) * 150
    blob += b"-----BEGIN CERTIFICATE-----\nMIIBtruncated\n"
    big = tmp_path / "export.pem"
    big.write_bytes(blob)
    assert big.stat().st_size > 3 * 256 * 1024
    whole = run([eku_bin, "census", "--at", AT, "--format", "json", "--no-system", "-"], input=blob, text=False)
    assert whole.returncode == 2, whole.stderr
    for jobs in ("1", "2"):
        parts = run([eku_bin, "census", "--at", AT, "--jobs", jobs, "--format", "json", "--no-system", str(big)],
                    text=False)
        assert parts.returncode == 2
        assert parts.stdout.replace(json.dumps(str(big)).encode()[1:-1], b"-") == whole.stdout
        assert parts.stderr.replace(str(big).encode(), b"-") == whole.stderr
    assert b"BEGIN without matching END" in whole.stderr
    p = page(tmp_path, good_entries() * 200, name="big-page.json")
    assert p.stat().st_size > 256 * 1024
    r = census(eku_bin, "--format", "json", "--no-system", p)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["totals"]["certificates"] == 400


def test_ct_chains_are_per_entry(eku_bin, tmp_path):
    """Entries sharing a chain reuse it; an entry without one is not given
    its neighbour's (the chain table compares whole chains)."""
    chain = [der("private-ca.pem"), der("private-root.pem")]
    p = page(tmp_path, [x509_entry(der("leaf-dual.pem"), chain),
                        x509_entry(der("leaf-server-only.pem"), []),
                        precert_entry(der("precert-dual.pem"), [der("ct-ca.pem")]),
                        x509_entry(der("leaf-client-only.pem"), chain),
                        x509_entry(der("leaf-none.pem"), chain[:1])])
    for sigs in ("skip", "check"):
        r = census(eku_bin, "--format", "json", "--no-system", "--signatures", sigs, p)
        assert r.returncode == 0, r.stderr
        rows = Counter()
        for x in json.loads(r.stdout)["rows"]:
            rows[(x["issuer"], x["eku_class"])] += x["certificates"]
        # leaf-none's chain stops at the intermediate: incomplete, so unknown.
        assert rows == {("private", "server_client"): 2, ("private", "client_only"): 1,
                        ("unknown", "server_only"): 1, ("unknown", "none"): 1}, sigs


def test_jobs_give_the_same_document(eku_bin, tmp_path):
    """One census per worker, merged: --jobs never changes a number, nor the
    order of the errors. tests/data holds good, bad and PKCS#12 inputs."""
    p = page(tmp_path, good_entries())
    args = ["--format", "json", "--no-system", "--password-file", DATA / "p12-password.txt",
            DATA, p, tmp_path / "missing.pem", DATA / "leaf-dual.pem"]
    docs = []
    for jobs in ("1", "2", "3"):
        r = census(eku_bin, "--jobs", jobs, *args)
        assert r.returncode == 2, r.stderr
        docs.append(json.loads(r.stdout))
    assert docs[0] == docs[1] == docs[2]
    d = docs[0]
    assert d["totals"]["certificates"] > 10 and d["errors"]
    assert d["errors"][-1]["source"] == str(tmp_path / "missing.pem")


BAD_PAGES = [
    ("leaf_type 1", lambda: [good_entries()[0], x509_entry(der("leaf-dual.pem"), [], leaf_type=1)],
     "page.json: entry 1: leaf_input: leaf_type 1, want 0 (timestamped_entry)"),
    ("version 2", lambda: [x509_entry(der("leaf-dual.pem"), [], version=2)],
     "page.json: entry 0: leaf_input: version 2, want 0 (v1)"),
    ("truncated certificate length", lambda: [(x509_entry(der("leaf-dual.pem"), [])[0][:14], b"\0\0\0")],
     "page.json: entry 0: leaf_input: ASN.1Cert: truncated 24-bit length (2 bytes left)"),
    ("chain length overflow", lambda: [(x509_entry(der("leaf-dual.pem"), [])[0], b"\xff\xff\xff\0")],
     "page.json: entry 0: extra_data: certificate_chain: length 16777215 exceeds the 1 bytes left"),
]


@pytest.mark.parametrize("name,entries,want", BAD_PAGES, ids=[b[0] for b in BAD_PAGES])
def test_bad_ct_pages(eku_bin, tmp_path, name, entries, want):
    r = census(eku_bin, "--no-system", page(tmp_path, entries()))
    assert r.returncode == 2, r.stdout
    assert want in r.stderr


def test_bad_inputs(eku_bin, tmp_path):
    b64 = tmp_path / "page.json"
    b64.write_text('{"entries":[{"leaf_input":"AA*A","extra_data":""}]}')
    r = census(eku_bin, "--no-system", b64)
    assert r.returncode == 2
    assert r.stderr == f"eku census: error: {b64}: entry 0: leaf_input: bad base64 at character 2\n"
    notjson = tmp_path / "x.json"
    notjson.write_text('{"entries": [')
    r = census(eku_bin, "--no-system", notjson)
    assert r.returncode == 2
    assert r.stderr.startswith(f"eku census: error: {notjson}:1: not a CT get-entries page: ")
    r = census(eku_bin, "--no-system", "--ct", DATA / "leaf-dual.pem")
    assert r.returncode == 2
    assert r.stderr == (f"eku census: error: {DATA / 'leaf-dual.pem'}:1: not a CT get-entries page: "
                        "expected '{' at the start of the page\n")
    # An entry whose certificate OpenSSL refuses costs that entry only.
    junk = page(tmp_path, [x509_entry(b"\x30\x03\x02\x01\x01", []), good_entries()[0]], "junk.json")
    r = census(eku_bin, "--format", "json", "--no-system", junk)
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert doc["totals"]["certificates"] == 1
    assert doc["errors"][0]["message"].startswith("entry 0: leaf_input: ASN.1Cert: ")
    # Certificate files: the good one is counted, the bad one named, exit 2.
    r = census(eku_bin, "--format", "json", "--no-system", DATA / "leaf-dual.pem", DATA / "garbage.bin",
               tmp_path / "missing.pem")
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert doc["totals"]["certificates"] == 1
    assert {e["source"] for e in doc["errors"]} == {str(DATA / "garbage.bin"), str(tmp_path / "missing.pem")}
    big = page(tmp_path, good_entries(), "big.json")
    r = census(eku_bin, "--no-system", "--max-size", "100", big)
    assert r.returncode == 2 and "raise it with --max-size" in r.stderr


def test_usage(eku_bin):
    r = run([eku_bin, "census", "--help"])
    assert r.returncode == 0 and "example:" in r.stdout and "eku census" in r.stdout
    r = run([eku_bin, "census", "--format", "jsonl", str(DATA / "leaf-dual.pem")])
    assert r.returncode == 2 and "--format jsonl: unknown format; use one of text|json|csv" in r.stderr
    r = run([eku_bin, "census"])
    assert r.returncode == 2 and "no input given" in r.stderr
    r = run([eku_bin, "census", "--signatures", "maybe", str(DATA / "leaf-dual.pem")])
    assert r.returncode == 2 and "--signatures maybe: give check or skip" in r.stderr


def test_issuers_in_other_files_are_found(eku_bin):
    # The leaf's issuing CA and root sit in files of their own, after it: the
    # first pass keeps them, so the leaf counts as private, not unknown.
    r = run([eku_bin, "census", "--no-system", "--format", "json", "--at", AT,
             DATA / "leaf-dual.pem", DATA / "private-ca.pem", DATA / "private-root.pem"])
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["rows"]
    assert [(row["issuer"], row["certificates"]) for row in rows] == [("private", 1)]
    # Alone, the leaf's chain cannot be completed.
    r = run([eku_bin, "census", "--no-system", "--format", "json", "--at", AT, DATA / "leaf-dual.pem"])
    assert [(row["issuer"], row["certificates"]) for row in json.loads(r.stdout)["rows"]] == [("unknown", 1)]
