"""eku scan against real TLS peers on 127.0.0.1: openssl s_server, nginx,
haproxy, stunnel4. Client-certificate requirement (none / requested /
optional / required, TLS 1.2 and 1.3), CA lists (private vs "public-like" root), and
dry runs with a clientAuth certificate, a serverAuth-only one and one from an
untrusted CA.

The PKI is generated at test time with openssl (keys 0600) by ScanPKI, which
the other 2x_scan scenarios import.
"""
import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from conftest import free_port, need, run, wait_port


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class ScanPKI:
    """Roots, a server certificate and candidate client certificates."""

    def __init__(self, d: Path):
        self.d = d
        os.umask(0o077)
        self.root("private-root", "/O=eku test/CN=eku Test Private Root")
        self.root("publiclike-root", "/O=Internet Security Research Group (eku test)/CN=ISRG Root X1 (eku test)")
        self.root("untrusted-root", "/O=eku test/CN=eku Untrusted Root")
        self.leaf("server", "private-root", "serverAuth", "DNS:localhost,IP:127.0.0.1")
        self.leaf("client", "private-root", "clientAuth", "DNS:client.example")
        self.leaf("client-dual", "publiclike-root", "serverAuth,clientAuth", "DNS:dual.example")
        self.leaf("server-only", "private-root", "serverAuth", "DNS:renewed.example")
        self.leaf("untrusted-client", "untrusted-root", "clientAuth", "DNS:stranger.example")
        (d / "server-combined.pem").write_text((d / "server.pem").read_text() + (d / "server.key").read_text())
        (d / "both-roots.pem").write_text((d / "private-root.pem").read_text() + (d / "publiclike-root.pem").read_text())
        for k in d.glob("*.key"):
            k.chmod(0o600)

    def root(self, name, subj):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.pem", "-subj", subj, "-days", "3650",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=self.d)

    def leaf(self, name, ca, eku, san):
        ext = self.d / f"{name}.ext"
        ext.write_text(f"basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                       f"extendedKeyUsage={eku}\nsubjectAltName={san}\n")
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}.example", cwd=self.d)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                 "-CAcreateserial", "-days", "200", "-extfile", ext.name, "-out", f"{name}.pem", cwd=self.d)

    def p(self, name):
        return str(self.d / name)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return ScanPKI(tmp_path_factory.mktemp("scanpki"))


class Peer:
    def __init__(self, cmd, port, cwd=None):
        self.port = port
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL)
        wait_port(port, self.proc)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def scan(eku_bin, *args, expect_rc=None):
    r = run([eku_bin, "scan", "--format", "json", "--no-system", "--handshake-timeout", "5s", *args])
    assert r.returncode in (0, 1, 3), r.stderr
    if expect_rc is not None:
        assert r.returncode == expect_rc, (r.returncode, r.stdout, r.stderr)
    doc = json.loads(r.stdout)
    assert doc["schema"] == "eku/1"
    return doc["results"]


def s_server(pki, port, *flags, ca="private-root.pem"):
    need("openssl")
    return Peer(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", pki.p("server.pem"),
                 "-key", pki.p("server.key"), "-CAfile", pki.p(ca), "-www", "-quiet", *flags], port)


# ---- openssl s_server: the three requirement levels, both TLS versions ----------------

S_SERVER_CASES = [
    # (name, s_server flags, expected client_auth)
    ("tls13-required", ["-tls1_3", "-Verify", "1"], "required"),
    ("tls12-required", ["-tls1_2", "-Verify", "1"], "required"),
    ("tls13-requested", ["-tls1_3", "-verify", "1"], "requested"),  # TLS only: not known whether enforced
    ("tls12-requested", ["-tls1_2", "-verify", "1"], "requested"),
    ("tls13-none", ["-tls1_3"], "none"),
    ("tls12-none", ["-tls1_2"], "none"),
]


@pytest.mark.parametrize("name,flags,expected", S_SERVER_CASES, ids=[c[0] for c in S_SERVER_CASES])
def test_s_server_client_auth(eku_bin, pki, name, flags, expected):
    port = free_port()
    peer = s_server(pki, port, *flags)
    try:
        (r,) = scan(eku_bin, f"127.0.0.1:{port}", "--trust", pki.p("private-root.pem"))
    finally:
        peer.stop()
    assert r["error"] is None, r
    assert r["tls_version"] == ("TLSv1.3" if "tls13" in name else "TLSv1.2")
    assert r["client_auth"] == expected
    assert r["chain"][0]["eku_class"] == "server_only"
    assert r["chain"][0]["issuer_class"] == "private"
    if expected != "none":
        assert r["acceptable_cas"] == ["CN=eku Test Private Root,O=eku test"]
        assert r["accepts_public_client_certs"] is False
    else:
        assert r["acceptable_cas"] == []


@pytest.mark.parametrize("tls", ["-tls1_2", "-tls1_3"])
def test_s_server_public_like_ca_list(eku_bin, pki, tls):
    """A CA list naming a root declared public marks the server as exposed."""
    port = free_port()
    peer = s_server(pki, port, tls, "-Verify", "1", ca="both-roots.pem")
    try:
        (r,) = scan(eku_bin, f"127.0.0.1:{port}", "--public-root", pki.p("publiclike-root.pem"), expect_rc=1)
    finally:
        peer.stop()
    assert r["client_auth"] == "required"
    assert len(r["acceptable_cas"]) == 2
    assert r["accepts_public_client_certs"] is True


@pytest.mark.parametrize("tls", ["-tls1_2", "-tls1_3"])
def test_s_server_dry_runs(eku_bin, pki, tls):
    port = free_port()
    peer = s_server(pki, port, tls, "-Verify", "1", "-verify_return_error")
    try:
        (r,) = scan(eku_bin, f"127.0.0.1:{port}",
                    "--client-cert", pki.p("client.pem"), "--client-key", pki.p("client.key"),
                    "--client-cert", pki.p("server-only.pem"), "--client-key", pki.p("server-only.key"),
                    "--client-cert", pki.p("untrusted-client.pem"), "--client-key", pki.p("untrusted-client.key"),
                    expect_rc=1)
    finally:
        peer.stop()
    got = {Path(d["certificate"]).name: (d["result"], d["alert"]) for d in r["dry_runs"]}
    assert got["client.pem"] == ("accepted", None)
    assert got["server-only.pem"] == ("rejected", "unsupported_certificate")
    assert got["untrusted-client.pem"] == ("rejected", "unknown_ca")


def test_pkcs12_candidate(eku_bin, pki, tmp_path):
    p12 = tmp_path / "client.p12"
    subprocess.run(["openssl", "pkcs12", "-export", "-in", pki.p("client.pem"), "-inkey", pki.p("client.key"),
                    "-out", str(p12), "-passout", "pass:s3cret"], check=True, capture_output=True)
    pw = tmp_path / "pw"
    pw.write_text("s3cret\n")
    port = free_port()
    peer = s_server(pki, port, "-Verify", "1", "-verify_return_error")
    try:
        (r,) = scan(eku_bin, f"127.0.0.1:{port}", "--client-cert", str(p12), "--password-file", str(pw),
                    expect_rc=0)
    finally:
        peer.stop()
    assert r["dry_runs"][0]["result"] == "accepted"


# ---- nginx: judges the certificate in HTTP (400), not in TLS ---------------------------

def nginx_peer(pki, tmp_path, verify):
    nginx = need("nginx")
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path};
    proxy_temp_path {tmp_path};
    fastcgi_temp_path {tmp_path};
    uwsgi_temp_path {tmp_path};
    scgi_temp_path {tmp_path};
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {pki.p("server.pem")};
        ssl_certificate_key {pki.p("server.key")};
        ssl_client_certificate {pki.p("private-root.pem")};
        ssl_verify_client {verify};
        location / {{ return 200 "ok\\n"; }}
    }}
}}
""")
    return Peer([nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"], port)


@pytest.mark.parametrize("verify,expected", [("on", "required"), ("optional", "optional")])
def test_nginx_client_auth(eku_bin, pki, tmp_path, verify, expected):
    peer = nginx_peer(pki, tmp_path, verify)
    try:
        (r,) = scan(eku_bin, f"127.0.0.1:{peer.port},starttls=https", "--trust", pki.p("private-root.pem"))
    finally:
        peer.stop()
    assert r["error"] is None, r
    assert r["client_auth"] == expected
    assert r["acceptable_cas"] == ["CN=eku Test Private Root,O=eku test"]
    assert r["banner"].startswith("nginx")


def test_nginx_dry_runs(eku_bin, pki, tmp_path):
    """nginx answers 400 "The SSL certificate error" to a serverAuth-only client
    certificate (X509_V_ERR_INVALID_PURPOSE) and to one from an unknown CA."""
    peer = nginx_peer(pki, tmp_path, "on")
    try:
        (r,) = scan(eku_bin, f"127.0.0.1:{peer.port},starttls=https",
                    "--client-cert", pki.p("client.pem"), "--client-key", pki.p("client.key"),
                    "--client-cert", pki.p("server-only.pem"), "--client-key", pki.p("server-only.key"),
                    "--client-cert", pki.p("untrusted-client.pem"), "--client-key", pki.p("untrusted-client.key"),
                    expect_rc=1)
    finally:
        peer.stop()
    got = {Path(d["certificate"]).name: d for d in r["dry_runs"]}
    assert got["client.pem"]["result"] == "accepted"
    assert got["server-only.pem"]["result"] == "rejected"
    assert "SSL certificate error" in got["server-only.pem"]["detail"]
    assert got["untrusted-client.pem"]["result"] == "rejected"
    log = (tmp_path / "error.log").read_text()
    assert "unsuitable certificate purpose" in log


# ---- haproxy: verify required (TLS alert) -----------------------------------------------

def test_haproxy_verify_required(eku_bin, pki, tmp_path):
    haproxy = need("haproxy")
    port = free_port()
    conf = tmp_path / "haproxy.cfg"
    conf.write_text(f"""
global
    log stderr format raw local0 emerg
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{port} ssl crt {pki.p("server-combined.pem")} ca-file {pki.p("private-root.pem")} verify required
    http-request return status 200 content-type text/plain string ok
""")
    peer = Peer([haproxy, "-f", str(conf), "-db"], port)
    try:
        (r,) = scan(eku_bin, f"127.0.0.1:{port}",
                    "--client-cert", pki.p("client.pem"), "--client-key", pki.p("client.key"),
                    "--client-cert", pki.p("server-only.pem"), "--client-key", pki.p("server-only.key"),
                    "--client-cert", pki.p("untrusted-client.pem"), "--client-key", pki.p("untrusted-client.key"),
                    expect_rc=1)
    finally:
        peer.stop()
    assert r["client_auth"] == "required"
    got = {Path(d["certificate"]).name: (d["result"], d["alert"]) for d in r["dry_runs"]}
    assert got["client.pem"] == ("accepted", None)
    assert got["server-only.pem"][0] == "rejected"
    assert got["server-only.pem"][1] in ("unsupported_certificate", "bad_certificate")
    assert got["untrusted-client.pem"] == ("rejected", "unknown_ca")


# ---- stunnel4 ------------------------------------------------------------------------

def test_stunnel_verify_chain(eku_bin, pki, tmp_path):
    stunnel = need("stunnel4")
    port, backend = free_port(), free_port()
    conf = tmp_path / "stunnel.conf"
    conf.write_text(f"""
foreground = yes
pid =
debug = 3
output = {tmp_path}/stunnel.log
[svc]
accept = 127.0.0.1:{port}
connect = 127.0.0.1:{backend}
cert = {pki.p("server.pem")}
key = {pki.p("server.key")}
CAfile = {pki.p("private-root.pem")}
verifyChain = yes
""")
    hold = socket.socket()  # a live backend, so stunnel keeps accepted connections open
    hold.bind(("127.0.0.1", backend))
    hold.listen(16)
    peer = Peer([stunnel, str(conf)], port)
    try:
        (r,) = scan(eku_bin, f"127.0.0.1:{port}",
                    "--client-cert", pki.p("client.pem"), "--client-key", pki.p("client.key"),
                    "--client-cert", pki.p("server-only.pem"), "--client-key", pki.p("server-only.key"),
                    expect_rc=1)
    finally:
        peer.stop()
        hold.close()
    assert r["client_auth"] == "required"
    got = {Path(d["certificate"]).name: d["result"] for d in r["dry_runs"]}
    assert got == {"client.pem": "accepted", "server-only.pem": "rejected"}


# ---- output formats on one live peer --------------------------------------------------

def test_formats(eku_bin, pki):
    port = free_port()
    peer = s_server(pki, port, "-Verify", "1")
    try:
        base = [eku_bin, "scan", "--no-system", f"127.0.0.1:{port}", f"127.0.0.1:{port},sni=other.example"]
        jl = run(base + ["--format", "jsonl"])
        csv = run(base + ["--format", "csv"])
        txt = run(base + ["--format", "text"])
    finally:
        peer.stop()
    lines = [json.loads(l) for l in jl.stdout.splitlines()]
    assert len(lines) == 2 and all(l["client_auth"] == "required" for l in lines)
    assert set(lines[0]) == {"target", "label", "address", "failed_addresses", "protocol", "tls_version", "cipher", "chain", "client_auth",
                             "acceptable_cas", "accepts_public_client_certs", "dry_runs", "banner", "error"}
    rows = csv.stdout.splitlines()
    assert rows[0].startswith("target,address,protocol") and len(rows) == 3
    assert "client certificate: required (alert certificate_required)" in txt.stdout
    assert "\x1b[" not in txt.stdout  # not a TTY: no colour
    assert txt.stderr == ""  # no progress bar when stderr is not a TTY
