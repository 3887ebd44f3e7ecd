"""eku gateway with workers: 4 under concurrent mTLS clients.

Four client threads open connections at once with different client
certificates (accepted, refused under enforce, untrusted) on an enforce and a
permissive route, so the verify callback, the classifier (one eku_trust
shared by all workers), the verdict cache and the metrics run on four worker
loops together. Under a ThreadSanitizer build (tools/test-all.sh, build-tsan)
a race ends the gateway with a report; here every connection must get its
answer and the gateway must drain and exit 0.
"""
import ssl
import threading

from conftest import free_port, gateway_helpers

gw30 = gateway_helpers()

CLIENTS = ["cli-dual", "cli-server-only", "cli-stranger", "cli-untrusted"]
ROUNDS = 6


def one(pki, port, client):
    """True when the gateway proxied to the upstream, False when it refused."""
    try:
        s = gw30.tls_client(pki, port, client)
        s.sendall(b"ECHO1")
        ok = s.recv(8) == b"ECHO1"
        s.close()
        return ok
    except (OSError, ssl.SSLError):
        return False


def test_workers_4_concurrent_clients(eku_bin, tmp_path):
    pki = gw30.make_pki(tmp_path / "pki")
    up = gw30.Upstream()
    admin, enforce, permissive = free_port(), free_port(), free_port()
    cfg = tmp_path / "gateway.yaml"
    cfg.write_text(gw30.config_yaml(pki, admin, [
        gw30.route_yaml("enforce", enforce, up.port, "enforce"),
        gw30.route_yaml("permissive", permissive, up.port, "permissive")], workers=4))
    g = gw30.Gateway(eku_bin, cfg, admin)
    results = {}
    try:
        def client(i):
            got = []
            for r in range(ROUNDS):
                name = CLIENTS[(i + r) % len(CLIENTS)]
                for route, port in (("enforce", enforce), ("permissive", permissive)):
                    got.append((name, route, one(pki, port, name)))
            results[i] = got

        threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert len(results) == 4
        for got in results.values():
            for name, route, ok in got:
                # enforce: only the dual-EKU client; permissive passes everyone.
                want = name == "cli-dual" if route == "enforce" else True
                assert ok == want, (name, route)
        assert g.metric("eku_gateway_peer_certs_total") >= 4 * ROUNDS
    finally:
        rc = g.stop()
        up.close()
    assert rc == 0, g.p.stderr.read()
