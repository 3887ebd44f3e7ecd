"""eku gateway with CRLs (issue 9, item 4): crl: for the shared trust and per
route, crl_expired: refuse|warn, and a SIGHUP that loads a new CRL.

The PKI is 30_gateway_mtls_test.py's (one CA, leaves generated at test time,
keys kept: TLS clients need them, so tests/verify/certs, whose keys are
deleted, cannot serve here) plus a clientAuth leaf that gets revoked. CRLs are
made with `openssl ca -gencrl`: an empty one, one revoking cli-revoked, and
one whose nextUpdate is in the past.
"""
import signal
import time

import pytest

from conftest import free_port, gateway_helpers, need, run

gw30 = gateway_helpers()


def _ca(d, *args):
    r = run(["openssl", "ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem",
             *args], cwd=d)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    need("openssl")
    d = gw30.make_pki(tmp_path_factory.mktemp("crlpki"))
    (d / "cli-revoked.ext").write_text(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=clientAuth\nsubjectAltName=DNS:revoked.example\n")
    for args in (["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-keyout", "cli-revoked.key", "-out", "cli-revoked.csr",
                  "-subj", "/CN=cli-revoked"],
                 ["x509", "-req", "-in", "cli-revoked.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                  "-CAcreateserial", "-days", "10", "-out", "cli-revoked.pem",
                  "-extfile", "cli-revoked.ext"]):
        assert run(["openssl", *args], cwd=d).returncode == 0
    (d / "cli-revoked.key").chmod(0o600)
    (d / "ca.cnf").write_text("[ca]\ndefault_ca = c\n[c]\ndatabase = index.txt\n"
                              "default_md = sha256\ndefault_crl_days = 30\n")
    (d / "index.txt").write_text("")
    _ca(d, "-gencrl", "-out", "empty.crl")
    _ca(d, "-gencrl", "-crl_lastupdate", "20200101000000Z", "-crl_nextupdate",
        "20200201000000Z", "-out", "expired.crl")
    _ca(d, "-revoke", "cli-revoked.pem")
    _ca(d, "-gencrl", "-out", "revoked.crl")
    return d


@pytest.fixture(scope="module")
def upstream():
    u = gw30.Upstream()
    yield u
    u.close()


def start(eku_bin, pki, upstream, tmp_path, top="", routes=None):
    """A gateway with route r (shared CRLs) and the given extra route text."""
    admin, port = free_port(), free_port()
    text = gw30.config_yaml(pki, admin, [gw30.route_yaml("r", port, upstream.port, "enforce")]
                            + (routes or []))
    cfg = tmp_path / "gateway.yaml"
    cfg.write_text(text.replace("routes:\n", top + "routes:\n", 1))
    g = gw30.Gateway(eku_bin, cfg, admin)
    g.port = port
    return g


def ok(pki, port, client):
    r = gw30.curl(pki, port, client)
    return r.returncode == 0 and '"ok": true' in r.stdout


def test_revoked_refused_good_passes_route_crl_applies_to_its_route(eku_bin, pki, upstream,
                                                                    tmp_path):
    own = free_port()
    route = gw30.route_yaml("own", own, upstream.port, "enforce").replace(
        "    policy:", f"    crl: [{pki}/revoked.crl]\n    policy:")
    g = start(eku_bin, pki, upstream, tmp_path, f"crl: {pki}/empty.crl\n", [route])
    try:
        assert ok(pki, g.port, "cli-dual")
        assert ok(pki, g.port, "cli-revoked")          # the shared CRL revokes nothing
        assert ok(pki, own, "cli-dual")
        assert not ok(pki, own, "cli-revoked")         # the route's own CRL revokes it
        sc = gw30.s_client(pki, own, "cli-revoked")
        assert "certificate revoked" in sc.stderr + sc.stdout   # the TLS alert
        assert g.metric("eku_gateway_handshake_failures_total", route="own",
                        reason="peer_revoked") == 2
        refused = [l for l in g.logs().splitlines() if "route=own" in l and "revoked" in l]
        assert refused and "result=handshake_failed" in refused[0], g.logs()
    finally:
        g.stop()


def test_expired_crl_refuse_refuses_all(eku_bin, pki, upstream, tmp_path):
    g = start(eku_bin, pki, upstream, tmp_path, f"crl: [{pki}/expired.crl]\n")
    try:
        assert not ok(pki, g.port, "cli-dual")
        assert not ok(pki, g.port, "cli-revoked")
        assert g.metric("eku_gateway_handshake_failures_total", route="r",
                        reason="peer_crl_invalid") == 2
    finally:
        g.stop()
    assert "expired (nextUpdate 2020-02-01T00:00:00Z); crl_expired: refuse" in g.p.stderr.read()


def test_expired_crl_warn_logs_and_passes(eku_bin, pki, upstream, tmp_path):
    g = start(eku_bin, pki, upstream, tmp_path,
              f"crl: [{pki}/expired.crl]\ncrl_expired: warn\n")
    try:
        assert ok(pki, g.port, "cli-dual")
        assert ok(pki, g.port, "cli-revoked")          # the expired CRL revokes nothing
    finally:
        g.stop()
    assert "expired (nextUpdate 2020-02-01T00:00:00Z); crl_expired: warn" in g.p.stderr.read()


def test_sighup_with_new_crl_revokes_for_new_connections(eku_bin, pki, upstream, tmp_path):
    crl = tmp_path / "current.crl"
    crl.write_bytes((pki / "empty.crl").read_bytes())
    g = start(eku_bin, pki, upstream, tmp_path, f"crl: {crl}\n")
    try:
        assert ok(pki, g.port, "cli-revoked")
        crl.write_bytes((pki / "revoked.crl").read_bytes())
        g.p.send_signal(signal.SIGHUP)
        for _ in range(100):
            if g.status()["config"]["version"] == 2:
                break
            time.sleep(0.05)
        assert g.status()["config"]["version"] == 2
        assert not ok(pki, g.port, "cli-revoked")
        assert ok(pki, g.port, "cli-dual")
        # A bad CRL keeps the last good config serving.
        crl.write_text("not a CRL\n")
        code, body = g.get("/reload", method="POST")
        assert code == 422 and "no CRL found" in body, body
        assert not ok(pki, g.port, "cli-revoked") and ok(pki, g.port, "cli-dual")
    finally:
        rc = g.stop()
    assert rc == 0 and "Sanitizer" not in g.p.stderr.read()   # clean exit (also under ASan)


def test_check_reports_bad_crl_and_crl_without_client_auth(eku_bin, pki, tmp_path):
    cfg = tmp_path / "c.yaml"
    text = gw30.config_yaml(pki, free_port(), [gw30.route_yaml("r", free_port(), 9, "enforce")])
    cfg.write_text(text.replace("routes:\n", f"crl: {pki}/ca.pem\ncrl_expired: maybe\nroutes:\n"))
    r = run([eku_bin, "gateway", "--check", str(cfg)])
    assert r.returncode == 2 and "'crl_expired' must be refuse or warn" in r.stderr
    cfg.write_text(text.replace("routes:\n", f"crl: {pki}/ca.pem\nroutes:\n"))
    r = run([eku_bin, "gateway", "--check", str(cfg)])
    assert r.returncode == 2 and f"{pki}/ca.pem: no CRL found" in r.stderr
    cfg.write_text(text.replace("client_auth: require", f"client_auth: none\n    crl: x.crl"))
    r = run([eku_bin, "gateway", "--check", str(cfg)])
    assert r.returncode == 2 and "crl checks client certificates" in r.stderr
