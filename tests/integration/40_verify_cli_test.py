"""eku verify as a user runs it: policies, exit codes, JSON shape, CRLs, bad input.

A private PKI is generated with the openssl binary at test time (nothing is
committed): a root, an intermediate, leaves with clientAuth, serverAuth only,
an EKU naming neither TLS purpose (codeSigning), both, and no EKU; a leaf under
a CA that is not trusted; a revoked leaf with CRLs for the root and the
intermediate. Every negative case asserts the exact stable error code. The
differential loop compares `eku verify --policy enforce` with `openssl verify
-purpose sslclient|sslserver` on the same files.
"""
import json
import subprocess
from pathlib import Path

import pytest

from conftest import need, run

SCHEMA_KEYS = {"schema", "result", "policy", "role", "chain", "errors", "under_other_policies"}
POLICIES = ("enforce", "ignore-client-eku", "permissive", "off")


# ---- the private PKI --------------------------------------------------------

def _ossl(*args, cwd):
    r = subprocess.run(["openssl", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, f"openssl {' '.join(map(str, args))}: {r.stderr}"


def _key(d, name):
    _ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
          f"{name}.key", cwd=d)


def _ca(d, name, subject, issuer=None):
    _key(d, name)
    if issuer is None:
        _ossl("req", "-new", "-x509", "-key", f"{name}.key", "-subj", subject, "-days", "3650",
              "-sha256", "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign",
              "-addext", "subjectKeyIdentifier=hash", "-out", f"{name}.pem", cwd=d)
        return
    (d / f"{name}.ext").write_text("basicConstraints=critical,CA:TRUE\n"
                                   "keyUsage=critical,keyCertSign,cRLSign\n"
                                   "subjectKeyIdentifier=hash\n")
    _ossl("req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr", cwd=d)
    _ossl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{issuer}.pem", "-CAkey",
          f"{issuer}.key", "-CAcreateserial", "-days", "3650", "-sha256", "-extfile",
          f"{name}.ext", "-out", f"{name}.pem", cwd=d)


def _leaf(d, name, cn, eku, issuer):
    _key(d, name)
    ext = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
           f"subjectAltName=DNS:{cn}"]
    if eku:
        ext.append(f"extendedKeyUsage={eku}")
    (d / f"{name}.ext").write_text("\n".join(ext) + "\n")
    _ossl("req", "-new", "-key", f"{name}.key", "-subj", f"/CN={cn}", "-out", f"{name}.csr", cwd=d)
    _ossl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{issuer}.pem", "-CAkey", f"{issuer}.key",
          "-CAcreateserial", "-days", "825", "-sha256", "-extfile", f"{name}.ext",
          "-out", f"{name}.pem", cwd=d)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    need("openssl")
    d = tmp_path_factory.mktemp("verify-pki")
    _ca(d, "root", "/O=eku it/CN=IT Root")
    _ca(d, "inter", "/O=eku it/CN=IT Intermediate", "root")
    _ca(d, "other-root", "/O=eku it/CN=IT Untrusted Root")
    _ca(d, "other-inter", "/O=eku it/CN=IT Untrusted Intermediate", "other-root")
    _leaf(d, "client", "client.partner.example", "clientAuth", "inter")
    _leaf(d, "server-only", "sip.partner.example", "serverAuth", "inter")
    _leaf(d, "codesign", "code.partner.example", "codeSigning", "inter")
    _leaf(d, "dual", "dual.partner.example", "serverAuth,clientAuth", "inter")
    _leaf(d, "noeku", "noeku.partner.example", "", "inter")
    _leaf(d, "untrusted", "sip.partner.example", "serverAuth,clientAuth", "other-inter")
    _leaf(d, "revoked", "revoked.partner.example", "serverAuth,clientAuth", "inter")
    # CRLs: the root's (empty, covers the intermediate), the intermediate's (revokes "revoked").
    (d / "ca.cnf").write_text("[ca]\ndefault_ca = c\n[c]\ndatabase = index.txt\n"
                              "default_md = sha256\ndefault_crl_days = 30\n")
    (d / "index.txt").write_text("")
    _ossl("ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "root.key", "-cert", "root.pem",
          "-out", "root.crl", cwd=d)
    _ossl("ca", "-config", "ca.cnf", "-revoke", "revoked.pem", "-keyfile", "inter.key",
          "-cert", "inter.pem", cwd=d)
    _ossl("ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "inter.key", "-cert", "inter.pem",
          "-out", "inter.crl", cwd=d)
    (d / "garbage.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n"
                                    b"-----END CERTIFICATE-----\n")
    (d / "random.bin").write_bytes(bytes(range(256)) * 4)
    return d


def verify(eku_bin, pki, leaf, *args, crls=False, trust="root.pem", fmt="json"):
    """eku verify with the PKI's root trusted and its intermediates offered."""
    cmd = [eku_bin, "verify", "--format", fmt, "--untrusted", pki / "inter.pem",
           "--untrusted", pki / "other-inter.pem"]
    if trust:
        cmd += ["--trust", pki / trust]
    if crls:
        cmd += ["--crl", pki / "root.crl", "--crl", pki / "inter.crl"]
    cmd += [*map(str, args), pki / f"{leaf}.pem" if "/" not in str(leaf) else leaf]
    return run(list(map(str, cmd)))


def doc_of(r):
    assert r.stdout, r.stderr
    return json.loads(r.stdout)


def codes(doc):
    return [e["code"] for e in doc["errors"]]


# ---- JSON shape ---------------------------------------------------------------

def test_json_shape_on_pass(eku_bin, pki):
    r = verify(eku_bin, pki, "dual", "--role", "client")
    assert r.returncode == 0, r.stderr
    doc = doc_of(r)
    assert SCHEMA_KEYS <= doc.keys()
    assert doc["schema"] == "eku/1"
    assert (doc["result"], doc["policy"], doc["role"]) == ("pass", "enforce", "client")
    assert doc["errors"] == []
    assert [c["subject"] for c in doc["chain"]] == [
        "CN=dual.partner.example", "CN=IT Intermediate,O=eku it", "CN=IT Root,O=eku it"]
    others = doc["under_other_policies"]
    assert set(others) == set(POLICIES) - {"enforce"}
    for verdict in others.values():
        assert verdict["result"] in ("pass", "fail") and verdict["reason"]


def test_json_error_objects(eku_bin, pki):
    doc = doc_of(verify(eku_bin, pki, "server-only", "--role", "client"))
    assert doc["result"] == "fail"
    for e in doc["errors"]:
        assert {"code", "depth", "message"} <= e.keys()
        assert isinstance(e["depth"], int) and e["message"]


# ---- policies, one named case per row ------------------------------------------
# (name, leaf, extra arguments, exit code, exact error codes in order)
CASES = [
    ("enforce: clientAuth leaf authenticates a client",
     "client", ["--role", "client"], 0, []),
    ("enforce: no EKU means any purpose",
     "noeku", ["--role", "client"], 0, []),
    ("enforce: serverAuth-only client is refused",
     "server-only", ["--role", "client"], 1, ["client_eku_missing"]),
    ("enforce: dual-EKU leaf as client",
     "dual", ["--role", "client"], 0, []),
    ("enforce: codeSigning leaf is no TLS client",
     "codesign", ["--role", "client"], 1, ["client_eku_missing"]),
    ("enforce: CA outside the trust store, its root not offered",
     "untrusted", ["--role", "client"], 1, ["chain_incomplete"]),
    ("enforce: CA outside the trust store, its root offered as untrusted",
     "untrusted", ["--role", "client", "--untrusted", "@other-root.pem"], 1, ["untrusted_root"]),
    ("ignore-client-eku: serverAuth-only client with allow-listed DNS SAN",
     "server-only", ["--role", "client", "--policy", "ignore-client-eku",
                     "--allow-dns", "sip.partner.example"], 0, []),
    ("ignore-client-eku: wildcard allow entry",
     "server-only", ["--role", "client", "--policy", "ignore-client-eku",
                     "--allow-dns", "*.partner.example"], 0, []),
    ("ignore-client-eku: SAN not on the allow-list",
     "server-only", ["--role", "client", "--policy", "ignore-client-eku",
                     "--allow-dns", "other.partner.example"], 1, ["not_allowed"]),
    ("ignore-client-eku: EKU naming neither TLS purpose is refused",
     "codesign", ["--role", "client", "--policy", "ignore-client-eku",
                  "--allow-dns", "*.partner.example"], 1, ["eku_no_tls_purpose"]),
    ("ignore-client-eku: untrusted CA stays refused even when allow-listed",
     "untrusted", ["--role", "client", "--policy", "ignore-client-eku",
                   "--allow-dns", "sip.partner.example"], 1, ["chain_incomplete"]),
    ("server role: serverAuth-only leaf authenticates a server",
     "server-only", ["--role", "server"], 0, []),
    ("server role: clientAuth-only leaf never authenticates a server (enforce)",
     "client", ["--role", "server"], 1, ["server_eku_missing"]),
    ("server role: ignore-client-eku does not relax serverAuth",
     "client", ["--role", "server", "--policy", "ignore-client-eku",
                "--allow-dns", "client.partner.example"], 1, ["server_eku_missing"]),
    ("server role: codeSigning leaf refused under ignore-client-eku",
     "codesign", ["--role", "server", "--policy", "ignore-client-eku",
                  "--allow-dns", "*.partner.example"], 1, ["server_eku_missing"]),
    ("permissive: passes and lists the would-fail",
     "server-only", ["--role", "client", "--policy", "permissive"], 0, ["client_eku_missing"]),
    ("permissive: untrusted CA passes, would fail",
     "untrusted", ["--role", "client", "--policy", "permissive"], 0, ["chain_incomplete"]),
    ("off: nothing is checked",
     "untrusted", ["--role", "client", "--policy", "off"], 0, []),
    ("--at before notBefore fails",
     "dual", ["--role", "client", "--at", "2001-01-01"], 1, ["not_yet_valid"]),
]


@pytest.mark.parametrize("name,leaf,args,rc,want", CASES, ids=[c[0] for c in CASES])
def test_policy_case(eku_bin, pki, name, leaf, args, rc, want):
    r = verify(eku_bin, pki, leaf, *[pki / a[1:] if a.startswith("@") else a for a in args])
    assert r.returncode == rc, f"{name}: {r.stdout}{r.stderr}"
    doc = doc_of(r)
    assert doc["result"] == ("pass" if rc == 0 else "fail")
    got = codes(doc)
    assert got[:len(want)] == want and (want or not got), f"{name}: {doc['errors']}"


def test_ignore_client_eku_with_spki_pin(eku_bin, pki):
    r = verify(eku_bin, pki, "server-only", "--role", "client", "--policy", "ignore-client-eku",
               "--allow-spki", pki / "server-only.pem")
    assert r.returncode == 0, r.stdout + r.stderr
    assert doc_of(r)["allowed_by"]
    # Another leaf's key does not pin this one.
    r = verify(eku_bin, pki, "server-only", "--role", "client", "--policy", "ignore-client-eku",
               "--allow-spki", pki / "dual.pem")
    assert r.returncode == 1 and codes(doc_of(r)) == ["not_allowed"]


def test_ignore_client_eku_without_allowlist_is_a_usage_error(eku_bin, pki):
    r = verify(eku_bin, pki, "server-only", "--role", "client", "--policy", "ignore-client-eku")
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "ignore-client-eku" in lines[0] and "allow-list" in lines[0]
    assert "--allow-dns" in lines[0]


def test_enforce_explains_other_policies(eku_bin, pki):
    doc = doc_of(verify(eku_bin, pki, "server-only", "--role", "client",
                        "--allow-dns", "sip.partner.example"))
    others = doc["under_other_policies"]
    assert others["ignore-client-eku"]["result"] == "pass"
    assert "sip.partner.example" in others["ignore-client-eku"]["reason"]
    assert others["permissive"]["result"] == "pass"


def test_permissive_text_says_would_fail(eku_bin, pki):
    r = verify(eku_bin, pki, "server-only", "--role", "client", "--policy", "permissive",
               fmt="text")
    assert r.returncode == 0
    assert "would fail" in r.stdout and "client_eku_missing" in r.stdout


# ---- revocation under every policy ---------------------------------------------

REVOKED = [
    ("enforce", [], 1),
    ("ignore-client-eku", ["--allow-dns", "revoked.partner.example"], 1),
    ("permissive", [], 0),
]


@pytest.mark.parametrize("policy,extra,rc", REVOKED, ids=[p[0] for p in REVOKED])
@pytest.mark.parametrize("role", ["client", "server"])
def test_crl_revocation_caught(eku_bin, pki, policy, extra, rc, role):
    r = verify(eku_bin, pki, "revoked", "--role", role, "--policy", policy, *extra, crls=True)
    assert r.returncode == rc, r.stdout + r.stderr
    doc = doc_of(r)
    assert "revoked" in codes(doc), doc["errors"]  # permissive: listed as would-fail
    assert doc["under_other_policies"]["enforce" if policy != "enforce" else
                                       "ignore-client-eku"]["result"] == "fail"


def test_crls_do_not_fail_a_good_leaf(eku_bin, pki):
    r = verify(eku_bin, pki, "dual", "--role", "client", crls=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_revoked_leaf_passes_without_crls(eku_bin, pki):
    assert verify(eku_bin, pki, "revoked", "--role", "client").returncode == 0


# ---- bad input: exit 2, one line naming the file -------------------------------

BAD = [
    ("missing certificate", lambda d: ["--role", "client", d / "no-such.pem"], "no-such.pem"),
    ("garbage PEM certificate", lambda d: ["--role", "client", d / "garbage.pem"], "garbage.pem"),
    ("random bytes certificate", lambda d: ["--role", "client", d / "random.bin"], "random.bin"),
    ("missing trust file", lambda d: ["--role", "client", "--trust", d / "nope-ca.pem",
                                      d / "dual.pem"], "nope-ca.pem"),
    ("garbage CRL file", lambda d: ["--role", "client", "--trust", d / "root.pem", "--crl",
                                    d / "random.bin", d / "dual.pem"], "random.bin"),
    ("missing untrusted file", lambda d: ["--role", "client", "--trust", d / "root.pem",
                                          "--untrusted", d / "gone.pem", d / "dual.pem"],
     "gone.pem"),
    # Public Suffix List: a wildcard over co.uk is as wide as one over com.
    ("wildcard over an ICANN public suffix",
     lambda d: ["--role", "client", "--policy", "ignore-client-eku", "--allow-dns", "*.co.uk",
                d / "dual.pem"], "'*.co.uk': the wildcard covers a public suffix (ICANN"),
    ("wildcard over a private-section suffix",
     lambda d: ["--role", "client", "--policy", "ignore-client-eku", "--allow-dns",
                "*.github.io", d / "dual.pem"], "(private section"),
    ("partial-label wildcard pattern",
     lambda d: ["--role", "client", "--policy", "ignore-client-eku", "--allow-dns",
                "a*.partner.example", d / "dual.pem"], "partial-label"),
]


@pytest.mark.parametrize("name,argv,fname", BAD, ids=[b[0] for b in BAD])
def test_bad_input_exit_2_one_line(eku_bin, pki, name, argv, fname):
    r = run([eku_bin, "verify", "--format", "json", *map(str, argv(pki))])
    assert r.returncode == 2, f"{name}: {r.stdout}{r.stderr}"
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, f"{name}: {r.stderr}"
    assert fname in lines[0], lines[0]


def test_bad_policy_oid_is_a_usage_error(eku_bin, pki):
    r = verify(eku_bin, pki, "dual", "--role", "client", "--policy-oid", "not.an.oid")
    assert r.returncode == 2 and "not.an.oid" in r.stderr


# ---- RFC 5280 policy flags on a chain without certificate policies ---------------

def test_policy_flags(eku_bin, pki):
    # No certificatePolicies anywhere: fine unless an explicit policy is required.
    assert verify(eku_bin, pki, "dual", "--role", "client", "--inhibit-any-policy",
                  "--inhibit-policy-mapping").returncode == 0
    r = verify(eku_bin, pki, "dual", "--role", "client", "--explicit-policy")
    assert r.returncode == 1 and "policy_invalid" in codes(doc_of(r))
    r = verify(eku_bin, pki, "dual", "--role", "client", "--explicit-policy",
               "--policy-oid", "2.23.140.1.2.1")
    assert r.returncode == 1 and "policy_invalid" in codes(doc_of(r))


# ---- differential: enforce == openssl verify -purpose ---------------------------

DIFF = [(leaf, role) for leaf in ("client", "server-only", "codesign", "dual", "noeku",
                                  "untrusted", "revoked") for role in ("client", "server")]


def test_enforce_matches_openssl_verify_purpose(eku_bin, pki):
    need("openssl")
    disagree = []
    for leaf, role in DIFF:
        purpose = "sslclient" if role == "client" else "sslserver"
        o = run(["openssl", "verify", "-purpose", purpose, "-CAfile", str(pki / "root.pem"),
                 "-untrusted", str(pki / "inter.pem"), "-untrusted", str(pki / "other-inter.pem"),
                 str(pki / f"{leaf}.pem")])
        e = verify(eku_bin, pki, leaf, "--role", role, "--policy", "enforce")
        assert e.returncode in (0, 1), e.stderr
        if (o.returncode == 0) != (e.returncode == 0):
            disagree.append(f"{leaf} as {role}: openssl rc={o.returncode} {o.stdout.strip()} "
                            f"{o.stderr.strip()}; eku rc={e.returncode}")
    assert not disagree, "\n".join(disagree)
    # Both sides with the CRLs: revocation decided the same way.
    for leaf in ("dual", "revoked"):
        o = run(["openssl", "verify", "-purpose", "sslclient", "-crl_check_all",
                 "-CAfile", str(pki / "root.pem"), "-untrusted", str(pki / "inter.pem"),
                 "-CRLfile", str(pki / "root.crl"), "-CRLfile", str(pki / "inter.crl"),
                 str(pki / f"{leaf}.pem")])
        e = verify(eku_bin, pki, leaf, "--role", "client", crls=True)
        assert (o.returncode == 0) == (e.returncode == 0), f"{leaf}: {o.stderr} / {e.stdout}"


# ---- --profile strict (committed fixtures: tests/verify/make-strict-fixtures.sh) ----

STRICT_DIR = Path(__file__).resolve().parents[1] / "verify" / "strict"
STRICT = [
    # leaf, intermediate, strict codes, OpenSSL -x509_strict also refuses?
    ("leaf-ok", "inter", [], False),
    ("leaf-no-aki", "inter", ["strict_aki_missing"], True),
    ("leaf-under-bc-noncrit", "inter-bc-noncrit", ["strict_ca_bc_not_critical"], True),
    ("leaf-keycertsign", "inter", ["strict_keycertsign_non_ca"], True),
    ("leaf-empty-subject", "inter", ["strict_empty_subject_san"], True),
    ("leaf-under-no-ski", "inter-no-ski", ["strict_aki_missing", "strict_ski_missing"], True),
    # eku-only rules (docs/verify.md): OpenSSL accepts these
    ("leaf-serial-negative", "inter", ["strict_serial"], False),
    ("leaf-serial-21", "inter", ["strict_serial"], False),
    ("leaf-gentime-2030", "inter", ["strict_time_encoding"], False),
]


def _strict_at():
    r = subprocess.run(["openssl", "x509", "-in", STRICT_DIR / "root.pem", "-noout", "-startdate"],
                       capture_output=True, text=True, check=True)
    from datetime import datetime, timedelta, timezone
    t = datetime.strptime(r.stdout.split("=", 1)[1].strip(), "%b %d %H:%M:%S %Y %Z")
    return (t.replace(tzinfo=timezone.utc) + timedelta(days=1))


@pytest.mark.parametrize("leaf,inter,want,ossl_refuses", STRICT, ids=[s[0] for s in STRICT])
def test_profile_strict(eku_bin, leaf, inter, want, ossl_refuses):
    at = _strict_at()
    base = [eku_bin, "verify", "--format", "json", "--role", "client", "--at",
            at.strftime("%Y-%m-%dT%H:%M:%SZ"), "--trust", STRICT_DIR / "root.pem",
            "--untrusted", STRICT_DIR / f"{inter}.pem"]
    leafp = STRICT_DIR / f"{leaf}.pem"
    r = run([*map(str, base), "--profile", "strict", str(leafp)])
    assert r.returncode == (1 if want else 0), r.stdout + r.stderr
    assert codes(doc_of(r)) == want
    r = run([*map(str, base), str(leafp)])  # default profile openssl
    assert r.returncode == 0 and codes(doc_of(r)) == []
    o = subprocess.run(["openssl", "verify", "-x509_strict", "-attime", str(int(at.timestamp())),
                        "-CAfile", STRICT_DIR / "root.pem", "-untrusted",
                        STRICT_DIR / f"{inter}.pem", leafp], capture_output=True, text=True)
    assert (o.returncode != 0) == ossl_refuses, o.stdout + o.stderr


def test_profile_unknown_is_a_usage_error(eku_bin, pki):
    r = verify(eku_bin, pki, "dual", "--role", "client", "--profile", "pedantic")
    assert r.returncode == 2 and "--profile pedantic" in r.stderr
