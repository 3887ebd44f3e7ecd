"""eku ca (issue 11): a private PKI whose client certificates real peers accept,
that refuses bad input without changing anything, and that survives kill -9.

- issued client certificates pass `openssl verify -x509_strict -purpose
  sslclient`; server-only ones do not;
- nginx (ssl_verify_client on) accepts them; after `eku ca revoke` + `eku ca
  crl`, nginx with ssl_crl and `eku verify --crl` refuse the revoked one;
- bad inputs exit 2 with `eku ca: error:` and leave the database and the
  directory byte-for-byte as they were;
- a bounded loop kills `eku ca issue` at random moments: no file without a
  record, no partial file, no duplicate serial, `eku ca check` explains the rest;
- concurrent issuers never collide.
"""
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import free_port, need, run, wait_port

CRASH_ITERATIONS = int(os.environ.get("EKU_CA_CRASH_ITERATIONS", "30"))


def eku(eku_bin, *args, rc=0, env=None):
    r = run([eku_bin, "ca", *args], env=env)
    if rc is not None:
        assert r.returncode == rc, (args, r.returncode, r.stdout, r.stderr)
    return r


def issue(eku_bin, ca, *args):
    r = eku(eku_bin, "issue", "--ca", str(ca), "--format", "json", "-q", *args)
    return json.loads(r.stdout)


@pytest.fixture
def ca(eku_bin, tmp_path):
    d = tmp_path / "pki"
    eku(eku_bin, "init", "-q", str(d))
    return d


@pytest.fixture
def constrained_ca(eku_bin, tmp_path):
    d = tmp_path / "cpki"
    (tmp_path / "ca-pass").write_text("correct horse\n")
    eku(eku_bin, "init", "-q", "--permit-dns", "example.com", "--passphrase-file",
        str(tmp_path / "ca-pass"), str(d))
    return d


def openssl_verify(ca, cert, *extra):
    return run(["openssl", "verify", "-x509_strict", "-purpose", "sslclient", "-CAfile",
                str(ca / "root.crt"), "-untrusted", str(ca / "issuing.crt"), *extra, str(cert)])


# ---- issuance and what peers make of it ---------------------------------------------

@pytest.mark.parametrize("profile,client_ok", [
    ("client", True), ("dual", True), ("expressway-client", True), ("server", False)])
def test_profiles_under_openssl_verify(eku_bin, ca, profile, client_ok):
    out = issue(eku_bin, ca, "--profile", profile, "--san", "DNS:node1.example.com")
    r = openssl_verify(ca, out["cert"])
    assert (r.returncode == 0) == client_ok, (profile, r.stdout, r.stderr)
    assert os.stat(out["key"]).st_mode & 0o777 == 0o600
    text = run(["openssl", "x509", "-in", out["cert"], "-noout", "-ext", "extendedKeyUsage"]).stdout
    assert ("TLS Web Client Authentication" in text) == client_ok
    assert ("TLS Web Server Authentication" in text) == (profile in ("server", "dual"))


def test_ca_layout_and_keys(eku_bin, ca):
    for f in ("private/root.key", "private/issuing.key"):
        assert os.stat(ca / f).st_mode & 0o777 == 0o600, f
    text = run(["openssl", "x509", "-in", str(ca / "issuing.crt"), "-noout", "-text"]).stdout
    assert "pathlen:0" in text
    assert "TLS Web Client Authentication" in text
    db = sqlite3.connect(f"file:{ca / 'ca.db'}?mode=ro", uri=True)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_encrypted_keys_and_p12(eku_bin, constrained_ca, tmp_path):
    key = (constrained_ca / "private/issuing.key").read_text()
    assert "ENCRYPTED PRIVATE KEY" in key
    asn1 = run(["openssl", "asn1parse", "-in", str(constrained_ca / "private/issuing.key")]).stdout
    assert "scrypt" in asn1 and "aes-256-cbc" in asn1
    (tmp_path / "p12").write_text("p12 secret\n")
    out = issue(eku_bin, constrained_ca, "--profile", "client", "--san", "a.example.com",
                "--passphrase-file", str(tmp_path / "ca-pass"), "--p12-passphrase-file", str(tmp_path / "p12"))
    info = run(["openssl", "pkcs12", "-in", out["p12"], "-info", "-noout", "-passin", "pass:p12 secret"])
    assert info.returncode == 0, info.stderr
    assert "AES-256-CBC" in info.stderr and "RC2" not in info.stderr and "3DES" not in info.stderr
    assert os.stat(out["p12"]).st_mode & 0o777 == 0o600


def test_csr_and_for_cert_keep_the_key(eku_bin, ca, tmp_path):
    key, csr = tmp_path / "c.key", tmp_path / "c.csr"
    run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(key), "-out", str(csr), "-subj", "/CN=csr.example.com",
         "-addext", "subjectAltName=DNS:csr.example.com"])
    out = issue(eku_bin, ca, "--profile", "client", "--csr", str(csr))
    assert out["key"] is None
    assert openssl_verify(ca, out["cert"]).returncode == 0
    # --for-cert: a serverAuth-only certificate from elsewhere, same key certified
    srv, skey = tmp_path / "srv.pem", tmp_path / "srv.key"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(skey), "-out", str(srv), "-subj", "/CN=expc1.example.com",
         "-addext", "subjectAltName=DNS:expc1.example.com", "-addext", "extendedKeyUsage=serverAuth"])
    out = issue(eku_bin, ca, "--profile", "expressway-client", "--for-cert", str(srv), "--key", str(skey))

    def spki(p):
        der = run(["openssl", "x509", "-in", p, "-noout", "-pubkey"]).stdout
        return hashlib.sha256(der.encode()).hexdigest()
    assert spki(out["cert"]) == spki(str(srv))
    subj = run(["openssl", "x509", "-in", out["cert"], "-noout", "-subject", "-ext", "subjectAltName"]).stdout
    assert "expc1.example.com" in subj and "DNS:expc1.example.com" in subj



def test_input_fifo_is_reported_not_waited_for(eku_bin, ca, tmp_path):
    """--csr and --for-cert are read as every input is: a FIFO nobody writes
    to is named, not waited for (OpenSSL's file BIO blocked in open)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for args in (["--profile", "client", "--csr", fifo],
                 ["--profile", "expressway-client", "--for-cert", fifo, "--key", fifo]):
        r = run([eku_bin, "ca", "issue", "--ca", str(ca), *map(str, args)])
        assert r.returncode == 2, r.stderr
        assert f"{fifo}: cannot read the " in r.stderr and "a FIFO nobody wrote to" in r.stderr, r.stderr

# ---- nginx and eku verify, before and after revocation --------------------------------

def nginx(tmp_path, ca, server, crl=None):
    exe = need("nginx")
    port = free_port()
    conf = tmp_path / "nginx.conf"
    crl_line = f"ssl_crl {crl};" if crl else ""
    conf.write_text(f"""
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path};
    proxy_temp_path {tmp_path};
    fastcgi_temp_path {tmp_path};
    uwsgi_temp_path {tmp_path};
    scgi_temp_path {tmp_path};
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {server['chain']};
        ssl_certificate_key {server['key']};
        ssl_client_certificate {ca / 'root.crt'};
        ssl_verify_client on;
        ssl_verify_depth 3;
        {crl_line}
        location / {{ return 200 "hello $ssl_client_s_dn\\n"; }}
    }}
}}
""")
    proc = subprocess.Popen([exe, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, proc)
    return proc, port


def curl(port, ca, client):
    need("curl")
    r = run(["curl", "-sS", "--resolve", f"srv.example.com:{port}:127.0.0.1", "--cacert", str(ca / "root.crt"),
             "--cert", client["chain"], "--key", client["key"], "-o", "-", "-w", "\n%{http_code}",
             f"https://srv.example.com:{port}/"])
    return r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr


def test_nginx_accepts_then_crl_refuses(eku_bin, ca, tmp_path):
    server = issue(eku_bin, ca, "--profile", "server", "--san", "srv.example.com")
    good = issue(eku_bin, ca, "--profile", "client", "--san", "good.example.com")
    bad = issue(eku_bin, ca, "--profile", "client", "--san", "bad.example.com")
    proc, port = nginx(tmp_path, ca, server)
    try:
        assert curl(port, ca, good) == "200"
        assert curl(port, ca, bad) == "200"
    finally:
        proc.terminate()
        proc.wait(5)
    eku(eku_bin, "revoke", "--ca", str(ca), "--reason", "keyCompromise", "-q", bad["serial"])
    eku(eku_bin, "crl", "--ca", str(ca), "--days", "7")
    crl = ca / "crl.pem"
    text = run(["openssl", "crl", "-in", str(crl), "-noout", "-text"]).stdout
    assert "Version 2" in text and "CRL Number" in text and "Next Update" in text
    assert bad["serial"] in text.replace(":", "").upper()
    proc, port = nginx(tmp_path, ca, server, crl)
    try:
        assert curl(port, ca, good) == "200"
        assert curl(port, ca, bad) == "400"  # nginx: "The SSL certificate error"
    finally:
        proc.terminate()
        proc.wait(5)
    for cert, want in ((good, 0), (bad, 1)):
        r = run([eku_bin, "verify", "--role", "client", "--trust", str(ca / "root.crt"), "--untrusted",
                 str(ca / "issuing.crt"), "--crl", str(crl), "--format", "json", cert["cert"]])
        assert r.returncode == want, (r.stdout, r.stderr)
    r = run([eku_bin, "verify", "--role", "client", "--trust", str(ca / "root.crt"), "--untrusted",
             str(ca / "issuing.crt"), "--crl", str(crl), "--format", "json", bad["cert"]])
    assert "revoked" in r.stdout
    assert openssl_verify(ca, bad["cert"], "-crl_check_all", "-CRLfile", str(crl)).returncode != 0


def test_list_and_expiring(eku_bin, ca):
    a = issue(eku_bin, ca, "--profile", "client", "--san", "a.example.com", "--days", "10")
    b = issue(eku_bin, ca, "--profile", "client", "--san", "b.example.com")
    rows = json.loads(eku(eku_bin, "list", "--ca", str(ca), "--format", "json").stdout)
    assert [r["serial"] for r in rows] == [a["serial"], b["serial"]]
    soon = eku(eku_bin, "list", "--ca", str(ca), "--format", "jsonl", "--expiring", "30d").stdout.splitlines()
    assert [json.loads(x)["serial"] for x in soon] == [a["serial"]]
    csv = eku(eku_bin, "list", "--ca", str(ca), "--format", "csv").stdout.splitlines()
    assert csv[0].startswith("serial,profile,status") and len(csv) == 3
    renewed = json.loads(eku(eku_bin, "renew", "--ca", str(ca), "--format", "json", "-q", a["serial"]).stdout)
    rows = json.loads(eku(eku_bin, "list", "--ca", str(ca), "--format", "json").stdout)
    assert rows[-1]["renewed_from"] == a["serial"] and rows[-1]["serial"] == renewed["serial"]
    db = sqlite3.connect(f"file:{ca / 'ca.db'}?mode=ro", uri=True)
    events = [e for (e,) in db.execute("SELECT event FROM audit ORDER BY id")]
    assert events.count("issue") == 3 and events[0] == "init"
    with pytest.raises(sqlite3.OperationalError):
        db.execute("DELETE FROM audit")  # read-only here, and refused by trigger anyway
    db.close()


def test_audit_is_append_only(eku_bin, ca):
    issue(eku_bin, ca, "--profile", "client", "--san", "a.example.com")
    db = sqlite3.connect(str(ca / "ca.db"))
    for sql in ("DELETE FROM audit", "UPDATE audit SET detail = 'x'"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
    db.close()


def test_offline_root(eku_bin, ca, tmp_path):
    key = (ca / "private" / "root.key").read_bytes()
    out = tmp_path / "usb" / "root.key"
    out.parent.mkdir()
    eku(eku_bin, "offline-root", "--ca", str(ca), "--out", str(out))
    assert out.read_bytes() == key and (out.stat().st_mode & 0o777) == 0o600
    assert not (ca / "private" / "root.key").exists()
    db = sqlite3.connect(str(ca / "ca.db"))
    assert db.execute("SELECT detail FROM audit WHERE event = 'root_key_offline'").fetchall() == [(str(out),)]
    db.close()
    # Issuing, CRLs and the consistency check need only the issuing CA.
    issue(eku_bin, ca, "--profile", "client", "--san", "b.example.com")
    eku(eku_bin, "crl", "--ca", str(ca))
    eku(eku_bin, "check", "--ca", str(ca))
    # A second export finds nothing; an existing --out is never overwritten.
    r = eku(eku_bin, "offline-root", "--ca", str(ca), "--out", str(tmp_path / "again.key"), rc=2)
    assert "no root key here" in r.stderr
    (ca / "private" / "root.key").write_bytes(key)
    r = eku(eku_bin, "offline-root", "--ca", str(ca), "--out", str(out), rc=2)
    assert "exists already" in r.stderr and (ca / "private" / "root.key").exists()


def test_help_has_examples(eku_bin):
    for sub in ("init", "issue", "renew", "revoke", "crl", "list", "check", "offline-root"):
        r = run([eku_bin, "ca", sub, "--help"])
        assert r.returncode == 0 and "example" in r.stdout and "eku ca " + sub in r.stdout, sub


# ---- bad input changes nothing -------------------------------------------------------

def snapshot(d: Path):
    files = {}
    for p in sorted(d.rglob("*")):
        if p.is_file() and not p.name.endswith(("-wal", "-shm")) and p.name != "ca.db":
            files[str(p.relative_to(d))] = (p.stat().st_mode, hashlib.sha256(p.read_bytes()).hexdigest())
    db = sqlite3.connect(f"file:{d / 'ca.db'}?mode=ro", uri=True)
    dump = "\n".join(db.iterdump())
    db.close()
    return files, dump


def bad_csr(tmp_path):
    key, csr = tmp_path / "b.key", tmp_path / "b.csr"
    run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(key), "-out", str(csr), "-subj", "/CN=b.example.com"])
    der = bytearray(run(["openssl", "req", "-in", str(csr), "-outform", "DER"], text=False).stdout)
    der[-3] ^= 1  # inside the signature
    bad = tmp_path / "bad.csr"
    bad.write_bytes(der)
    pem = run(["openssl", "req", "-inform", "DER", "-in", str(bad)]).stdout
    bad.write_text(pem)
    return str(bad)


@pytest.mark.parametrize("case,args,message", [
    ("bad CSR signature", ["--profile", "client", "--csr", "@badcsr"], "signature"),
    ("SAN outside constraints", ["--profile", "client", "--san", "DNS:evil.other.org"], "name constraints"),
    ("unknown profile", ["--profile", "superuser", "--san", "a.example.com"], "unknown profile"),
    ("wrong passphrase", ["--profile", "client", "--san", "a.example.com", "--passphrase-file", "@wrongpass"],
     "wrong passphrase"),
    ("no passphrase", ["--profile", "client", "--san", "a.example.com", "--passphrase-file", None],
     "encrypted"),
    ("for-cert without proof", ["--profile", "client", "--for-cert", "@root"], "proof of possession"),
])
def test_bad_input_changes_nothing(eku_bin, constrained_ca, tmp_path, case, args, message):
    issue(eku_bin, constrained_ca, "--profile", "client", "--san", "ok.example.com",
          "--passphrase-file", str(tmp_path / "ca-pass"))
    (tmp_path / "wrong").write_text("wrong horse\n")
    subst = {"@badcsr": bad_csr(tmp_path), "@wrongpass": str(tmp_path / "wrong"),
             "@root": str(constrained_ca / "root.crt")}
    argv = [subst.get(a, a) for a in args if a is not None]
    if "--passphrase-file" in argv and args[-1] is None:
        argv.remove("--passphrase-file")
    elif "--passphrase-file" not in argv:
        argv += ["--passphrase-file", str(tmp_path / "ca-pass")]
    before = snapshot(constrained_ca)
    r = eku(eku_bin, "issue", "--ca", str(constrained_ca), *argv, rc=2)
    assert r.stderr.startswith("eku ca issue: error: "), r.stderr  # the subcommand is named
    assert message in r.stderr, (case, r.stderr)
    assert snapshot(constrained_ca) == before, case


def test_not_a_ca(eku_bin, tmp_path):
    (tmp_path / "junk").mkdir()
    before = sorted(os.listdir(tmp_path / "junk"))
    for sub in (["issue", "--profile", "client", "--san", "a.example.com"], ["list"], ["crl"], ["check"]):
        r = eku(eku_bin, sub[0], "--ca", str(tmp_path / "junk"), *sub[1:], rc=2)
        assert "not an eku CA" in r.stderr and "eku ca init" in r.stderr
    assert sorted(os.listdir(tmp_path / "junk")) == before
    r = eku(eku_bin, "init", str(tmp_path), rc=2)  # not empty
    assert "not empty" in r.stderr


def test_revoke_unknown_serial(eku_bin, ca):
    before = snapshot(ca)
    r = eku(eku_bin, "revoke", "--ca", str(ca), "--reason", "superseded", "0123456789ABCDEF", rc=2)
    assert "no such certificate" in r.stderr
    assert snapshot(ca) == before


# ---- crash safety and concurrency ----------------------------------------------------

def check_invariants(eku_bin, ca):
    """No duplicate serial, no certificate file without a record, no partial file."""
    db = sqlite3.connect(f"file:{ca / 'ca.db'}?mode=ro", uri=True)
    rows = {s: (st, der) for s, st, der in db.execute("SELECT serial, status, der FROM certs")}
    serials = [s for (s,) in db.execute("SELECT serial FROM certs")]
    db.close()
    assert len(serials) == len(set(serials))
    for p in (ca / "issued").iterdir():
        if ".tmp-" in p.name:
            continue  # never renamed into place: not a certificate file
        serial = p.name.split(".")[0]
        assert serial in rows, f"{p}: file without a database record"
        if p.name.endswith(".crt"):
            der = run(["openssl", "x509", "-in", str(p), "-outform", "DER"], text=False).stdout
            assert der == rows[serial][1], f"{p}: partial or different file"
    for p in (ca / "private").iterdir():
        if ".tmp-" not in p.name and p.name not in ("root.key", "issuing.key"):
            assert p.name.split(".")[0] in rows, f"{p}: key without a database record"
    r = run([eku_bin, "ca", "check", "--ca", str(ca), "--format", "json"])
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and doc["consistent"], doc
    return rows, doc


def test_kill_9_during_issue(eku_bin, ca):
    rng = random.Random(11)
    killed = 0
    for _ in range(CRASH_ITERATIONS):
        p = subprocess.Popen([eku_bin, "ca", "issue", "--ca", str(ca), "--profile", "client", "-q",
                              "--san", "k.example.com", "--p12-passphrase-env", "P12"],
                             env={**os.environ, "P12": "x"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, 0.25))
        if p.poll() is None:
            p.kill()
            killed += 1
        p.wait()
    assert killed > 0, "no issuer was killed mid-way: the delays are too long for this machine"
    rows, doc = check_invariants(eku_bin, ca)
    pending = [s for s, (st, _) in rows.items() if st == "pending"]
    explained = {f["what"] for f in doc["findings"] if f["kind"] == "interrupted"}
    assert set(pending) == explained
    # repair: pending -> abandoned, temp files gone, still consistent, CRL lists them
    r = run([eku_bin, "ca", "check", "--ca", str(ca), "--repair"])
    assert r.returncode == 0, r.stdout
    rows, doc = check_invariants(eku_bin, ca)
    assert not [f for f in doc["findings"]], doc
    assert not [p for p in ca.rglob("*.tmp-*")]
    eku(eku_bin, "crl", "--ca", str(ca))
    text = run(["openssl", "crl", "-in", str(ca / "crl.pem"), "-noout", "-text"]).stdout.replace(":", "").upper()
    for s in pending:
        assert s in text


def test_concurrent_issuers(eku_bin, ca):
    script = (f"for i in 1 2 3 4 5 6 7 8; do {eku_bin} ca issue --ca {ca} --profile client -q "
              f"--san c.example.com --format json || exit 1; done")
    procs = [subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, text=True) for _ in range(4)]
    # check --repair while they run must never abandon a live issuance
    repairs = 0
    while any(p.poll() is None for p in procs):
        r = run([eku_bin, "ca", "check", "--ca", str(ca), "--repair", "--format", "json"])
        assert r.returncode == 0, r.stdout
        assert not [f for f in json.loads(r.stdout)["findings"] if f["kind"] == "interrupted"], r.stdout
        repairs += 1
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    serials = [json.loads("{" + chunk)["serial"] for out, _ in outs for chunk in out.split("{")[1:]]
    assert len(serials) == 32 and len(set(serials)) == 32
    rows, _ = check_invariants(eku_bin, ca)
    assert len(rows) == 32 and all(st == "complete" for st, _ in rows.values())


def test_check_finds_what_it_must(eku_bin, ca):
    """eku ca check is the oracle of the crash test: show that it fails on an
    orphan file, a truncated certificate, a missing file and a loose key."""
    out = issue(eku_bin, ca, "--profile", "client", "--san", "a.example.com")
    assert run([eku_bin, "ca", "check", "--ca", str(ca)]).returncode == 0
    cert = Path(out["cert"])
    data = cert.read_bytes()
    cert.write_bytes(data[: len(data) // 2])
    (ca / "issued" / "00DEADBEEF.crt").write_bytes(data)
    os.chmod(out["key"], 0o644)
    r = run([eku_bin, "ca", "check", "--ca", str(ca), "--format", "json"])
    kinds = sorted(f["kind"] for f in json.loads(r.stdout)["findings"])
    assert r.returncode == 1
    assert kinds == ["key_mode", "mismatch", "orphan_file"]
    cert.unlink()
    r = run([eku_bin, "ca", "check", "--ca", str(ca), "--format", "json"])
    assert "missing_file" in [f["kind"] for f in json.loads(r.stdout)["findings"]]


# ---- haproxy, stunnel and PostgreSQL ---------------------------------------------------

def tls_echo(port, ca, client):
    """Handshake with the client certificate, send a line, expect it back."""
    import socket
    import ssl
    ctx = ssl.create_default_context(cafile=str(ca / "root.crt"))
    ctx.load_cert_chain(client["chain"], client["key"])
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="srv.example.com") as s:
                s.sendall(b"ping\n")
                return s.recv(16) == b"ping\n"
    except (ssl.SSLError, OSError):
        return False


def echo_backend():
    import socket
    import threading
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)

    def serve():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            with c:
                data = c.recv(16)
                if data:
                    c.sendall(data)
    threading.Thread(target=serve, daemon=True).start()
    return srv


@pytest.fixture
def revoked_pair(eku_bin, ca):
    server = issue(eku_bin, ca, "--profile", "server", "--san", "srv.example.com", "--san", "IP:127.0.0.1")
    good = issue(eku_bin, ca, "--profile", "client", "--san", "good.example.com", "--cn", "goodclient")
    bad = issue(eku_bin, ca, "--profile", "client", "--san", "bad.example.com", "--cn", "badclient")
    eku(eku_bin, "revoke", "--ca", str(ca), "--reason", "keyCompromise", "-q", bad["serial"])
    eku(eku_bin, "crl", "--ca", str(ca))
    return server, good, bad


def test_haproxy_accepts_and_crl_refuses(eku_bin, ca, tmp_path, revoked_pair):
    haproxy = need("haproxy")
    server, good, bad = revoked_pair
    combined = tmp_path / "server-combined.pem"
    combined.write_text(Path(server["chain"]).read_text() + Path(server["key"]).read_text())
    backend = echo_backend()
    ports = {}
    for name, crl in (("plain", ""), ("crl", f"crl-file {ca / 'crl.pem'}")):
        ports[name] = free_port()
        conf = tmp_path / f"haproxy-{name}.cfg"
        conf.write_text(f"""
global
    log stderr format raw local0 emerg
defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{ports[name]} ssl crt {combined} ca-file {ca / 'root.crt'} verify required {crl}
    default_backend be
backend be
    server echo 127.0.0.1:{backend.getsockname()[1]}
""")
    procs = [subprocess.Popen([haproxy, "-f", str(tmp_path / f"haproxy-{n}.cfg"), "-db"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in ports]
    try:
        for n, p in zip(ports, procs):
            wait_port(ports[n], p)
        assert tls_echo(ports["plain"], ca, good)
        assert tls_echo(ports["plain"], ca, bad)
        assert tls_echo(ports["crl"], ca, good)
        assert not tls_echo(ports["crl"], ca, bad)
    finally:
        for p in procs:
            p.terminate()
            p.wait(5)
        backend.close()


def test_stunnel_accepts_and_crl_refuses(eku_bin, ca, tmp_path, revoked_pair):
    stunnel = need("stunnel4")
    server, good, bad = revoked_pair
    backend = echo_backend()
    results = {}
    for name, crl in (("plain", ""), ("crl", f"CRLfile = {ca / 'crl.pem'}")):
        port = free_port()
        conf = tmp_path / f"stunnel-{name}.conf"
        conf.write_text(f"""
foreground = yes
pid =
debug = 3
output = {tmp_path}/stunnel-{name}.log
[svc]
accept = 127.0.0.1:{port}
connect = 127.0.0.1:{backend.getsockname()[1]}
cert = {server['chain']}
key = {server['key']}
CAfile = {ca / 'root.crt'}
verifyChain = yes
{crl}
""")
        p = subprocess.Popen([stunnel, str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_port(port, p)
            results[name] = (tls_echo(port, ca, good), tls_echo(port, ca, bad))
        finally:
            p.terminate()
            p.wait(5)
    backend.close()
    assert results == {"plain": (True, True), "crl": (True, False)}


PG_BIN = Path(os.environ.get("EKU_PG_BIN", "/usr/lib/postgresql/15/bin"))


def test_postgres_clientcert_verify_full(eku_bin, ca, revoked_pair):
    """hostssl ... clientcert=verify-full: the certificate must chain to the
    root and its CN must be the user; ssl_crl_file refuses the revoked one."""
    import pwd
    import shutil
    import tempfile
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"{PG_BIN}/initdb missing (apt-get install postgresql)")
    if os.geteuid() != 0 or shutil.which("runuser") is None or shutil.which("psql") is None:
        pytest.skip("PostgreSQL tests run initdb as the postgres user via runuser (needs root) and psql")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres user (apt-get install postgresql)")
    server, good, bad = revoked_pair

    def pg(*args):
        return subprocess.run(["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True,
                              timeout=120)
    d = Path(tempfile.mkdtemp(prefix="eku-ca-pg-"))
    try:
        d.chmod(0o700)
        shutil.chown(d, "postgres")
        for src, name in ((server["chain"], "server.pem"), (server["key"], "server.key"),
                          (ca / "root.crt", "root.crt"), (ca / "crl.pem", "crl.pem")):
            shutil.copy(src, d / name)
            shutil.chown(d / name, "postgres")
            (d / name).chmod(0o600)
        data = d / "data"
        r = pg(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
        if r.returncode != 0:
            pytest.skip(f"initdb failed: {r.stderr[-300:]}")
        port = free_port()
        with open(data / "postgresql.conf", "a") as f:
            f.write(f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{d}'\n"
                    f"ssl = on\nssl_cert_file = '{d}/server.pem'\nssl_key_file = '{d}/server.key'\n"
                    f"ssl_ca_file = '{d}/root.crt'\nssl_crl_file = '{d}/crl.pem'\n")
        (data / "pg_hba.conf").write_text("local all all trust\n"
                                          "hostssl all all 127.0.0.1/32 trust clientcert=verify-full\n")
        r = pg(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(d / "pg.log"), "-w", "-t", "30", "start")
        if r.returncode != 0:
            pytest.skip(f"pg_ctl start failed: {r.stderr[-300:]}")
        for user in ("goodclient", "badclient"):
            pg(str(PG_BIN / "createuser"), "-h", str(d), "-p", str(port), user)

        def psql(client, user):
            dsn = (f"host=127.0.0.1 port={port} dbname=postgres user={user} sslmode=verify-full "
                   f"sslrootcert={ca / 'root.crt'} sslcert={client['chain']} sslkey={client['key']}")
            return run(["psql", dsn, "-Atc", "select 1"])
        ok = psql(good, "goodclient")
        assert ok.returncode == 0 and ok.stdout.strip() == "1", ok.stderr
        assert psql(good, "badclient").returncode != 0  # CN is not the user
        refused = psql(bad, "badclient")
        assert refused.returncode != 0 and "revoked" in refused.stderr, refused.stderr
    finally:
        if (d / "data").exists():
            pg(str(PG_BIN / "pg_ctl"), "-D", str(d / "data"), "-m", "immediate", "stop")
        shutil.rmtree(d, ignore_errors=True)


# ---- eku plan: an eku ca root in private_roots makes option C concrete ----------------

def test_plan_option_c_names_the_command(eku_bin, tmp_path):
    import shutil
    import shlex
    inv = tmp_path / "exp"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "expressway", inv)
    eku(eku_bin, "init", "-q", str(inv / "lab" / "pki"))
    text = (inv / "inventory.yaml").read_text()
    # X15.5: separate client stores, so D is done and C is the durable fix
    text = text.replace("  - lab/corp-root.pem", "  - lab/corp-root.pem\n  - lab/pki/root.crt").replace("X15.3.2", "X15.5.1")
    (inv / "inventory.yaml").write_text(text)
    r = run([eku_bin, "plan", "--fail-on", "never", "--format", "json", str(inv / "inventory.yaml")])
    assert r.returncode == 0, r.stderr
    actions = [a["action"] for a in json.loads(r.stdout)["actions"]]
    cmd = "eku ca issue --ca lab/pki --profile expressway-client --for-cert certs/expc1.pem --key KEY.pem"
    assert any(cmd in a for a in actions), actions
    # the command as printed runs from the inventory's directory: with a key
    # that is not expc1's, it stops at the proof of possession
    key = tmp_path / "other.key"
    run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(key)])
    argv = shlex.split(cmd.replace("KEY.pem", str(key)))
    r = run([eku_bin, *argv[1:]], cwd=inv)
    assert r.returncode == 2 and "does not belong to certs/expc1.pem" in r.stderr, r.stderr
    # without the eku ca root, the action stays generic
    (inv / "inventory.yaml").write_text(text.replace("  - lab/pki/root.crt\n", ""))
    r = run([eku_bin, "plan", "--fail-on", "never", "--format", "json", str(inv / "inventory.yaml")])
    assert not [a for a in json.loads(r.stdout)["actions"] if "eku ca issue" in a["action"]]


# ---- eku gateway: client-store entry as issued, CRL from eku ca crl ---------------------

def test_gateway_loads_and_refuses_revoked(eku_bin, ca, tmp_path, revoked_pair):
    server, good, bad = revoked_pair
    backend = echo_backend()
    port, admin = free_port(), free_port()
    cfg = tmp_path / "gateway.yaml"
    cfg.write_text(
        f"version: 1\nadmin:\n  listen: 127.0.0.1:{admin}\n"
        "limits:\n  handshake_timeout: 5s\n  idle_timeout: 30s\n  drain_timeout: 2s\n"
        f"trust: [{ca / 'root.crt'}]\ncrl: [{ca / 'crl.pem'}]\n"
        f"server_store:\n  - name: gw\n    cert: {server['cert']}\n    key: {server['key']}\n"
        f"    chain: {ca / 'issuing.crt'}\n    default: true\n"
        f"client_store:\n  - name: gwc\n    cert: {good['cert']}\n    key: {good['key']}\n"
        f"    chain: {ca / 'issuing.crt'}\n"
        f"routes:\n  - name: r\n    listen: [127.0.0.1:{port}]\n    client_auth: require\n"
        f"    policy: enforce\n    upstream:\n      address: 127.0.0.1:{backend.getsockname()[1]}\n")
    r = run([eku_bin, "gateway", "--check", str(cfg)])
    assert r.returncode == 0, r.stdout + r.stderr
    p = subprocess.Popen([eku_bin, "gateway", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, p)
        assert tls_echo(port, ca, good)
        assert not tls_echo(port, ca, bad)
    finally:
        p.terminate()
        p.wait(10)
        backend.close()
