"""eku inspect as a user runs it: formats, exit codes, error lines, secrets."""
import csv
import io
import json
import os

from conftest import ROOT, run

DATA = ROOT / "tests" / "data"


def inspect(eku_bin, *args, **kw):
    return run([eku_bin, "inspect", "--no-system", *map(str, args)], **kw)


def test_json_document_shape(eku_bin):
    r = inspect(eku_bin, "--format", "json", "--at", "2026-11-27", DATA / "chain-dual.pem")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "eku/1"
    assert doc["errors"] == []
    leaf = next(c for c in doc["certificates"] if c["subject"] == "CN=dual.example.test")
    for key in ("source", "index", "subject", "issuer", "serial", "not_before", "not_after",
                "sha256", "spki_sha256", "eku", "eku_names", "eku_class", "is_ca", "san",
                "issuer_class", "ca_vendor", "self_signed"):
        assert key in leaf, key
    assert leaf["eku"] == ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]
    assert leaf["eku_class"] == "server_client"
    assert leaf["index"] == 1 and leaf["line"] == 2
    assert leaf["days_left"] == 125  # 2026-11-27 -> 2027-04-01
    # The bundle carries its own private root.
    assert leaf["issuer_class"] == "private" and leaf["chain_length"] == 3
    assert {"type": "ip", "value": "2001:db8::1"} in leaf["san"]
    # Sorted by not_after: the CA (2036) after the leaf (2027), root last.
    assert [c["not_after"][:4] for c in doc["certificates"]] == sorted(
        c["not_after"][:4] for c in doc["certificates"])


def test_sha256_matches_openssl(eku_bin):
    r = inspect(eku_bin, "--format", "jsonl", DATA / "leaf-dual.pem")
    mine = json.loads(r.stdout)["sha256"]
    fp = run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", DATA / "leaf-dual.pem"])
    assert fp.stdout.split("=")[1].strip().replace(":", "").lower() == mine


def test_spki_sha256_matches_openssl(eku_bin):
    r = inspect(eku_bin, "--format", "jsonl", DATA / "leaf-dual.pem")
    mine = json.loads(r.stdout)["spki_sha256"]
    pub = run(["openssl", "x509", "-noout", "-pubkey", "-in", DATA / "leaf-dual.pem"]).stdout
    der = run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub.encode(), text=False,
              capture_output=True)
    import hashlib
    assert hashlib.sha256(der.stdout).hexdigest() == mine


def test_bad_inputs_one_line_each_and_exit_2(eku_bin):
    bad = ["truncated.der", "garbage.bin", "empty.pem", "bad-base64.pem", "key-only.pem",
           "dual-pw.p12", "no-such-file.pem"]
    r = inspect(eku_bin, "--format", "json", DATA / "leaf-dual.pem", *[DATA / b for b in bad])
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    # The good input is still reported.
    assert [c["subject"] for c in doc["certificates"]] == ["CN=dual.example.test"]
    lines = r.stderr.strip().splitlines()
    assert len(lines) == len(bad), r.stderr
    for b in bad:
        assert sum(b in line for line in lines) == 1, (b, r.stderr)
    codes = {e["source"].split("/")[-1]: e["code"] for e in doc["errors"]}
    assert codes == {"truncated.der": "bad_der", "garbage.bin": "no_certificate",
                     "empty.pem": "empty", "bad-base64.pem": "bad_pem",
                     "key-only.pem": "no_certificate", "dual-pw.p12": "pkcs12_password",
                     "no-such-file.pem": "io"}


def test_pkcs12_password_sources_never_echoed(eku_bin, tmp_path):
    secret = (DATA / "p12-password.txt").read_text().strip()
    r = inspect(eku_bin, "--password-file", DATA / "p12-password.txt", DATA / "dual-pw.p12")
    assert r.returncode == 0 and "dual.example.test" in r.stdout
    env = dict(os.environ, EKU_TEST_PW=secret)
    r = inspect(eku_bin, "--password-env", "EKU_TEST_PW", DATA / "dual-pw.p12", env=env)
    assert r.returncode == 0
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("Tr0ub4dor&3\n")
    r = inspect(eku_bin, "--password-file", wrong, DATA / "dual-pw.p12")
    assert r.returncode == 2 and "wrong PKCS#12 password" in r.stderr
    assert "Tr0ub4dor" not in r.stderr + r.stdout
    r = inspect(eku_bin, "--password-env", "EKU_UNSET_VARIABLE", DATA / "dual-pw.p12")
    assert r.returncode == 2 and "EKU_UNSET_VARIABLE" in r.stderr


def test_stdin_and_csv(eku_bin):
    r = inspect(eku_bin, "--format", "csv", "-", input=(DATA / "chain-dual.pem").read_text())
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 3 and all(row["source"] == "-" for row in rows)
    assert rows[0]["eku_class"] == "server_client"


def test_text_is_80_columns_and_colourless_off_tty(eku_bin):
    r = inspect(eku_bin, DATA)
    assert r.returncode == 2  # the directory holds the malformed fixtures too
    assert "\033[" not in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    assert "can act as: server yes, client no" in r.stdout  # leaf-server-only
    r = inspect(eku_bin, "--color", "always", DATA / "leaf-dual.pem")
    assert "\033[" in r.stdout
    env = dict(os.environ, NO_COLOR="1")
    r = inspect(eku_bin, "--color", "auto", DATA / "leaf-dual.pem", env=env)
    assert "\033[" not in r.stdout


def test_size_cap(eku_bin):
    r = inspect(eku_bin, "--max-size", "100", DATA / "leaf-dual.pem")
    assert r.returncode == 2 and "--max-size" in r.stderr


def test_usage_errors(eku_bin):
    assert inspect(eku_bin).returncode == 2
    r = inspect(eku_bin, "--format", "yaml", DATA / "leaf-dual.pem")
    assert r.returncode == 2 and "text|json|jsonl|csv" in r.stderr
    r = inspect(eku_bin, "--at", "2027-02-30", DATA / "leaf-dual.pem")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr
    r = run([eku_bin, "inspect", "--help"])
    assert r.returncode == 0 and "example:" in r.stdout


def test_inferred_vendor_and_declared_trust(eku_bin):
    r = inspect(eku_bin, "--format", "jsonl", DATA / "leaf-fake-le-server.pem")
    c = json.loads(r.stdout)
    assert c["issuer_class"] == "webpki" and c["issuer_class_inferred"] is True
    assert c["ca_vendor"] == "letsencrypt"
    r = inspect(eku_bin, "--format", "jsonl", "--trust", DATA / "private-root.pem",
                "--untrusted", DATA / "private-ca.pem", DATA / "leaf-client-only.pem")
    c = json.loads(r.stdout)
    assert c["issuer_class"] == "private" and c["chain_complete"] is True


def test_sunset_verdicts_with_declared_public_root(eku_bin):
    """With the lab root declared public (as a plan inventory does), the dual
    certificate is at risk from its renewal after Let's Encrypt's cut-off."""
    r = inspect(eku_bin, "--format", "jsonl", "--at", "2026-04-01",
                "--public-root", f"letsencrypt={DATA / 'fake-le-root.pem'}",
                "--untrusted", DATA / "fake-le-r3.pem",
                DATA / "leaf-fake-le-dual.pem", DATA / "leaf-fake-le-server.pem")
    assert r.returncode == 0, r.stderr
    by_subject = {c["subject"]: c for c in map(json.loads, r.stdout.splitlines())}
    dual = by_subject["CN=expe.example.test"]
    assert dual["issuer_class"] == "webpki" and dual["ca_vendor"] == "letsencrypt"
    assert dual["sunset"]["client_use"] == "at_risk"
    assert dual["sunset"]["breaks_on"] == "2026-05-29"
    assert dual["sunset"]["reason"] == "RENEWAL_DROPS_CLIENTAUTH"
    assert dual["sunset"]["rule"] and dual["sunset"]["rule_source"].startswith("https://")
    server = by_subject["CN=expe2.example.test"]
    assert server["sunset"]["client_use"] == "broken"
    assert server["sunset"]["reason"] == "CLIENT_EKU_MISSING"
    # Without the declaration the same root is a private look-alike.
    r = inspect(eku_bin, "--format", "jsonl", "--at", "2026-04-01",
                "--untrusted", DATA / "fake-le-r3.pem", "--untrusted", DATA / "fake-le-root.pem",
                DATA / "leaf-fake-le-dual.pem")
    assert json.loads(r.stdout)["sunset"]["client_use"] == "not_affected"
