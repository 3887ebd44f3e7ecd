"""eku scan says only what it knows (issue 9, "scan honesty").

1. A server that sent a CertificateRequest and then completed the handshake
   without a certificate is `requested` (not known whether it is enforced)
   unless an application exchange after the handshake told: an HTTP answer,
   a PostgreSQL or SIP reply. HTTP is detected on any port by offering ALPN
   `http/1.1`: nginx with `ssl_verify_client on` on a non-standard port
   completes the handshake and answers HTTP 400, so it is `required`.
2. Every resolved address is tried (IPv6 first, families alternating, the
   next one after a connect failure or timeout); `address` names the one that
   answered, `failed_addresses` the ones before it. `--resolve
   HOST:PORT:ADDR[,ADDR...]` pins the addresses (as curl's option), which
   lets the test give a name two addresses without touching /etc/hosts.
"""
import importlib.util
import json
import socket
from pathlib import Path

import pytest

from conftest import free_port, run

_spec = importlib.util.spec_from_file_location("scan_peers", Path(__file__).with_name("20_scan_peers_test.py"))
scan_peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scan_peers)
pki = scan_peers.pki  # the module-scoped PKI fixture
scan, s_server, nginx_peer = scan_peers.scan, scan_peers.s_server, scan_peers.nginx_peer


# ---- 1. requested / optional / required ------------------------------------------------

S_SERVER_CASES = [
    # (name, s_server flags, expected client_auth, expected protocol)
    ("tls13 -verify: asks, not enforced in TLS, no ALPN", ["-tls1_3", "-verify", "1"], "requested", "tls"),
    ("tls12 -verify: asks, not enforced in TLS, no ALPN", ["-tls1_2", "-verify", "1"], "requested", "tls"),
    ("tls13 -Verify: fails without a certificate", ["-tls1_3", "-Verify", "1"], "required", "tls"),
    ("tls12 -Verify: fails without a certificate", ["-tls1_2", "-Verify", "1"], "required", "tls"),
    # s_server -alpn h2 sends no_application_protocol to a client offering
    # only http/1.1: the probe retries without ALPN instead of failing.
    ("ALPN h2 only: retried without ALPN", ["-tls1_3", "-verify", "1", "-alpn", "h2"], "requested", "tls"),
    # A server that selects http/1.1 gets the HTTP probe; s_server -www
    # answers 200, so the request is known not to be enforced.
    ("ALPN http/1.1 + HTTP 200", ["-tls1_3", "-verify", "1", "-alpn", "http/1.1"], "optional", "https"),
]


@pytest.mark.parametrize("name,flags,expected,proto", S_SERVER_CASES, ids=[c[0] for c in S_SERVER_CASES])
def test_s_server_requested(eku_bin, pki, name, flags, expected, proto):
    port = free_port()
    peer = s_server(pki, port, *flags)
    try:
        (r,) = scan(eku_bin, f"127.0.0.1:{port}")
    finally:
        peer.stop()
    assert r["error"] is None, r
    assert r["client_auth"] == expected
    assert r["protocol"] == proto
    assert r["acceptable_cas"] == ["CN=eku Test Private Root,O=eku test"]


@pytest.mark.parametrize("verify,expected", [("on", "required"), ("optional", "optional")])
def test_nginx_http_detected_by_alpn(eku_bin, pki, tmp_path, verify, expected):
    """No starttls=https and a port that is not 443/8443: nginx selects ALPN
    http/1.1, so the probe sends its GET and reads the 400 (or the 200)."""
    peer = nginx_peer(pki, tmp_path, verify)
    try:
        (r,) = scan(eku_bin, f"127.0.0.1:{peer.port}")
        txt = run([eku_bin, "scan", "--no-system", "--no-progress", f"127.0.0.1:{peer.port}"])
    finally:
        peer.stop()
    assert r["error"] is None, r
    assert r["protocol"] == "https"
    assert r["client_auth"] == expected
    assert r["banner"].startswith("nginx")
    assert f"client certificate: {expected}" in txt.stdout


def test_requested_in_text_and_csv(eku_bin, pki):
    port = free_port()
    peer = s_server(pki, port, "-verify", "1")
    try:
        txt = run([eku_bin, "scan", "--no-system", "--no-progress", f"127.0.0.1:{port}"])
        csv = run([eku_bin, "scan", "--no-system", "--no-progress", "--format", "csv", f"127.0.0.1:{port}"])
    finally:
        peer.stop()
    assert "client certificate: requested" in txt.stdout
    assert ",requested," in csv.stdout.splitlines()[1]


# ---- 2. every address ------------------------------------------------------------------

def v6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback")


def test_falls_back_to_second_address(eku_bin, pki):
    """multi.test -> ::1 (nothing listens: refused), 127.0.0.1 (s_server)."""
    v6_loopback()
    port = free_port()
    peer = s_server(pki, port, "-tls1_3")
    try:
        (r,) = scan(eku_bin, f"multi.test:{port}", "--resolve", f"multi.test:{port}:[::1],127.0.0.1")
        txt = run([eku_bin, "scan", "--no-system", "--no-progress", f"multi.test:{port}",
                   "--resolve", f"multi.test:{port}:127.0.0.1,[::1]"])
    finally:
        peer.stop()
    assert r["error"] is None, r
    assert r["address"] == f"127.0.0.1:{port}"
    assert r["failed_addresses"] == [f"[::1]:{port}: Connection refused"]
    assert r["client_auth"] == "none"
    # IPv6 first whatever the order given (RFC 8305 4), so text shows the fallback too.
    assert f"(127.0.0.1:{port}, tls)" in txt.stdout
    assert f"after [::1]:{port}: Connection refused" in txt.stdout


def test_first_address_answers(eku_bin, pki):
    port = free_port()
    peer = s_server(pki, port, "-tls1_3")
    try:
        (r,) = scan(eku_bin, f"one.test:{port}", "--resolve", f"one.test:{port}:127.0.0.1")
    finally:
        peer.stop()
    assert r["error"] is None, r
    assert r["address"] == f"127.0.0.1:{port}"
    assert r["failed_addresses"] == []


def test_every_address_refused(eku_bin):
    v6_loopback()
    port = free_port()
    (r,) = scan(eku_bin, f"multi.test:{port}", "--resolve", f"multi.test:{port}:127.0.0.1,[::1]",
                "--connect-timeout", "1s", expect_rc=3)
    assert r["error"]["class"] == "refused"
    assert r["address"] == f"127.0.0.1:{port}"  # the last one tried
    assert r["failed_addresses"] == [f"[::1]:{port}: Connection refused"]


@pytest.mark.parametrize("spec,fragment", [
    ("multi.test:443", "HOST:PORT:ADDR"),
    ("multi.test:99999:127.0.0.1", "port"),
    ("multi.test:443:not-an-address", "not-an-address"),
])
def test_resolve_usage(eku_bin, spec, fragment):
    r = run([eku_bin, "scan", "--no-system", "--resolve", spec, "multi.test:443"])
    assert r.returncode == 2
    assert fragment in r.stderr
