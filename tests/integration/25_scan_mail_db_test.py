"""eku scan against postfix (SMTP STARTTLS, smtpd_tls_ask_ccert = yes) and
PostgreSQL (SSLRequest, hostssl with clientcert=verify-full / verify-ca) on
127.0.0.1. Both are private instances started and stopped here, as root:
postfix with its own config_directory and queue_directory, PostgreSQL with
initdb/pg_ctl run as the postgres user in a folder it owns. Skipped with a
reason when a package is missing or the daemon cannot start.

Packages: postfix, postgresql (PostgreSQL 15 in /usr/lib/postgresql/15/bin).
"""
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import free_port, need, run

_spec = importlib.util.spec_from_file_location("scan_peers", Path(__file__).with_name("20_scan_peers_test.py"))
scan_peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scan_peers)
pki = scan_peers.pki

PG_BIN = Path(os.environ.get("EKU_PG_BIN", "/usr/lib/postgresql/15/bin"))


def scan(eku_bin, *args):
    r = run([eku_bin, "scan", "--format", "json", "--no-system", "--no-progress", "--handshake-timeout", "5s",
             "--post-handshake-wait", "500ms", *args])
    assert r.returncode in (0, 1), (r.returncode, r.stdout, r.stderr)
    (x,) = json.loads(r.stdout)["results"]
    return x


def candidates(pki, *names):
    out = []
    for n in names:
        out += ["--client-cert", pki.p(f"{n}.pem"), "--client-key", pki.p(f"{n}.key")]
    return out


def dry(x):
    return {Path(d["certificate"]).name: (d["result"], d["alert"]) for d in x["dry_runs"]}


# ---- postfix ---------------------------------------------------------------------------

def _postfix_dirs(d: Path, pki, port):
    conf, queue, data = d / "etc", d / "queue", d / "data"
    for p in (conf, queue, data):
        p.mkdir()
        p.chmod(0o755)  # the PKI fixture sets umask 077; postfix's own users walk these
    shutil.chown(data, "postfix")
    (conf / "main.cf").write_text(f"""compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.eku-test.example
mydestination =
smtpd_peername_lookup = no
maillog_file = {d}/maillog
maillog_file_prefixes = {d}
smtpd_tls_security_level = may
smtpd_tls_cert_file = {pki.p('server.pem')}
smtpd_tls_key_file = {pki.p('server.key')}
smtpd_tls_CAfile = {pki.p('private-root.pem')}
smtpd_tls_ask_ccert = yes
smtpd_tls_loglevel = 1
""")
    (conf / "master.cf").write_text(f"""127.0.0.1:{port} inet n - n - - smtpd
anvil     unix - - n - 1 anvil
tlsmgr    unix - - n 1000? 1 tlsmgr
postlog   unix-dgram n - n - 1 postlogd
proxymap  unix - - n - - proxymap
rewrite   unix - - n - - trivial-rewrite
""")
    return conf


@pytest.fixture(scope="module")
def postfix(pki, tmp_path_factory):
    exe = need("postfix")
    if os.geteuid() != 0:
        pytest.skip("postfix needs root to run a private instance")
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        pytest.skip("no postfix user (apt-get install postfix)")
    d = Path(tempfile.mkdtemp(prefix="eku-postfix-"))  # pytest's tree is 0700: postfix could not reach it
    d.chmod(0o755)
    port = free_port()
    conf = _postfix_dirs(d, pki, port)
    env = {**os.environ, "MAIL_CONFIG": str(conf)}
    subprocess.run([exe, "-c", str(conf), "check"], env=env, capture_output=True)
    proc = subprocess.Popen([exe, "-c", str(conf), "start-fg"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        try:
            scan_peers.wait_port(port, proc)
        except RuntimeError:
            log = (d / "maillog").read_text()[-500:] if (d / "maillog").exists() else ""
            err = proc.stderr.read().decode(errors="replace")[-500:] if proc.poll() is not None else ""
            pytest.skip(f"postfix did not start: {err} {log}")
        yield port
    finally:
        subprocess.run([exe, "-c", str(conf), "stop"], env=env, capture_output=True)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(d, ignore_errors=True)


def test_postfix_asks_for_client_cert(eku_bin, pki, postfix):
    """smtpd_tls_ask_ccert = yes: a CertificateRequest naming our CA, no certificate needed."""
    x = scan(eku_bin, f"127.0.0.1:{postfix},starttls=smtp", "--trust", pki.p("private-root.pem"))
    assert x["error"] is None, x
    assert x["protocol"] == "smtp"
    assert x["banner"] == "mx.eku-test.example ESMTP Postfix"
    assert x["client_auth"] == "requested"  # SMTP is not spoken past STARTTLS
    assert x["acceptable_cas"] == ["CN=eku Test Private Root,O=eku test"]
    assert x["accepts_public_client_certs"] is False
    assert x["chain"][0]["subject"] == "CN=server.example"


def test_postfix_dry_run(eku_bin, pki, postfix):
    """postfix only records the client certificate (ask, not require): every
    candidate, even one from an unknown CA, is accepted at the TLS layer."""
    x = scan(eku_bin, f"127.0.0.1:{postfix}", "--starttls", "smtp",
             *candidates(pki, "client", "server-only", "untrusted-client"))
    assert x["client_auth"] == "requested"
    assert dry(x) == {"client.pem": ("accepted", None), "server-only.pem": ("accepted", None),
                      "untrusted-client.pem": ("accepted", None)}


# ---- PostgreSQL --------------------------------------------------------------------------

def _pg(*args, **kw):
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def postgres(pki, tmp_path_factory):
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"{PG_BIN}/initdb missing (apt-get install postgresql)")
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("PostgreSQL tests run initdb as the postgres user via runuser (needs root)")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres user (apt-get install postgresql)")
    d = Path(tempfile.mkdtemp(prefix="eku-pg-"))
    d.chmod(0o700)
    shutil.chown(d, "postgres")
    for f in ("server.pem", "server.key", "private-root.pem"):
        shutil.copy(pki.p(f), d / f)
        shutil.chown(d / f, "postgres")
        (d / f).chmod(0o600)
    data = d / "data"
    data.mkdir()
    shutil.chown(data, "postgres")
    r = _pg(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", timeout=120)
    if r.returncode != 0:
        pytest.skip(f"initdb failed: {r.stderr[-400:]}")
    port = free_port()
    with open(data / "postgresql.conf", "a") as f:
        f.write(f"""
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{d}'
ssl = on
ssl_cert_file = '{d}/server.pem'
ssl_key_file = '{d}/server.key'
ssl_ca_file = '{d}/private-root.pem'
""")
    (data / "pg_hba.conf").write_text(
        "local all all trust\n"
        "hostssl all all 127.0.0.1/32 trust clientcert=verify-full\n"
        "hostnossl all all 127.0.0.1/32 reject\n")
    shutil.chown(data / "pg_hba.conf", "postgres")
    r = _pg(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(d / "pg.log"), "-w", "-t", "30", "start",
            timeout=60)
    if r.returncode != 0:
        log = (d / "pg.log").read_text()[-600:] if (d / "pg.log").exists() else ""
        pytest.skip(f"pg_ctl start failed: {r.stderr[-300:]} {log}")
    try:
        yield port, data
    finally:
        _pg(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop", timeout=60)
        shutil.rmtree(d, ignore_errors=True)


def _pg_reload(data, hba):
    (data / "pg_hba.conf").write_text(hba)
    _pg(str(PG_BIN / "pg_ctl"), "-D", str(data), "reload", timeout=30)
    time.sleep(0.5)


def test_postgres_clientcert_verify_full(eku_bin, pki, postgres):
    """TLS alone would say "requested" (PostgreSQL asks, then judges at
    authentication): the StartupMessage answer makes it "required"."""
    port, _ = postgres
    x = scan(eku_bin, f"127.0.0.1:{port},starttls=postgres", "--trust", pki.p("private-root.pem"))
    assert x["error"] is None, x
    assert x["protocol"] == "postgres"
    assert x["acceptable_cas"] == ["CN=eku Test Private Root,O=eku test"]
    assert x["chain"][0]["subject"] == "CN=server.example"
    assert x["client_auth"] == "required", x


def test_postgres_dry_run(eku_bin, pki, postgres):
    port, _ = postgres
    x = scan(eku_bin, f"127.0.0.1:{port},starttls=postgres",
             *candidates(pki, "client", "server-only", "untrusted-client"))
    got = dry(x)
    # connects as the certificate's CN, which verify-full compares with the user
    assert got["client.pem"] == ("accepted", None), x
    assert x["dry_runs"][0]["detail"] == "PostgreSQL: authentication request 0 (ok)"
    assert got["server-only.pem"] == ("rejected", "unsupported_certificate")
    assert got["untrusted-client.pem"] == ("rejected", "unknown_ca")


def test_postgres_clientcert_off_is_optional(eku_bin, pki, postgres):
    """hostssl without clientcert, ssl_ca_file set: asked for, never required."""
    port, data = postgres
    _pg_reload(data, "local all all trust\nhostssl all all 127.0.0.1/32 trust\n")
    try:
        x = scan(eku_bin, f"127.0.0.1:{port},starttls=postgres")
    finally:
        _pg_reload(data, "local all all trust\nhostssl all all 127.0.0.1/32 trust clientcert=verify-full\n")
    assert x["client_auth"] == "optional", x
    assert x["error"] is None
