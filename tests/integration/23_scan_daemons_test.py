"""eku scan against real STARTTLS daemons on 127.0.0.1: prosody (XMPP c2s and
s2s). prosody asks s2s peers for a certificate (optional: it authenticates
servers by certificate or dialback) and never asks c2s clients.

Needs the prosody package (apt-get install prosody); skipped otherwise.
postfix and PostgreSQL scenarios are not automated yet (see docs/scan.md).
"""
import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

from conftest import free_port, need, run

_spec = importlib.util.spec_from_file_location("scan_peers", Path(__file__).with_name("20_scan_peers_test.py"))
scan_peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scan_peers)
pki = scan_peers.pki


@pytest.fixture(scope="module")
def prosody(pki, tmp_path_factory):
    exe = need("prosody")
    d = tmp_path_factory.mktemp("prosody")
    c2s, s2s = free_port(), free_port()
    (d / "prosody.cfg.lua").write_text(f"""
run_as_root = true
daemonize = false
pidfile = "{d}/prosody.pid"
data_path = "{d}"
log = {{ info = "{d}/prosody.log" }}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {c2s} }}
s2s_ports = {{ {s2s} }}
c2s_direct_tls_ports = {{ }}
s2s_direct_tls_ports = {{ }}
modules_enabled = {{ "tls", "dialback", "disco", "saslauth" }}
s2s_secure_auth = false
certificates = "{d}"
VirtualHost "example.test"
  ssl = {{ certificate = "{pki.p('server.pem')}", key = "{pki.p('server.key')}" }}
""")
    proc = subprocess.Popen([exe, "--config", str(d / "prosody.cfg.lua")], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        scan_peers.wait_port(c2s, proc)
        scan_peers.wait_port(s2s, proc)
        yield c2s, s2s
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_prosody_c2s_and_s2s(eku_bin, prosody):
    c2s, s2s = prosody
    r = run([eku_bin, "scan", "--no-system", "--format", "json", "--xmpp-to", "example.test",
             f"127.0.0.1:{c2s},starttls=xmpp-client", f"127.0.0.1:{s2s},starttls=xmpp-server"])
    res = {x["protocol"]: x for x in json.loads(r.stdout)["results"]}
    for x in res.values():
        assert x["error"] is None, x
        assert x["chain"][0]["subject"] == "CN=server.example"
    assert res["xmpp-client"]["client_auth"] == "none"
    assert res["xmpp-server"]["client_auth"] == "requested"  # XMPP is not spoken past STARTTLS


def test_prosody_s2s_dry_run(eku_bin, pki, prosody):
    """s2s accepts any certificate at the TLS layer (it judges later, in XMPP)."""
    _, s2s = prosody
    r = run([eku_bin, "scan", "--no-system", "--format", "json", "--xmpp-to", "example.test",
             "--xmpp-from", "peer.example", f"127.0.0.1:{s2s},starttls=xmpp-server",
             "--client-cert", pki.p("server-only.pem"), "--client-key", pki.p("server-only.key")])
    (x,) = json.loads(r.stdout)["results"]
    assert x["dry_runs"][0]["result"] == "accepted"
