"""eku scan failure classes: every broken peer is reported per target with its
class (dns, refused, timeout, tls, starttls, protocol), nothing hangs past its
timeout, and the healthy target in the same run still completes.

Misbehaving peers are small Python servers on 127.0.0.1.
"""
import json
import socket
import threading
import time

import pytest

from conftest import free_port, run


class FakeServer:
    """Accepts connections on 127.0.0.1 and runs handler(conn) in a thread each."""

    def __init__(self, handler):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.handler = handler
        self.conns = []
        self.stopped = False
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            self.handler(conn)
        except OSError:
            pass

    def stop(self):
        self.stopped = True
        self.sock.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass


def stall(conn):
    time.sleep(30)


def plain_smtp(conn):
    conn.sendall(b"220 plain.example ESMTP no TLS here\r\n")
    while conn.recv(4096):
        conn.sendall(b"500 5.5.1 command unrecognized\r\n")


def partial_server_hello(conn):
    conn.recv(4096)  # the ClientHello
    conn.sendall(b"\x16\x03\x03\x00\x50\x02\x00\x00")  # a record header and 3 of its 80 bytes
    time.sleep(30)


def garbage_starttls(conn):
    conn.sendall(b"HELLO THERE, THIS IS NOT SMTP\r\n")
    time.sleep(30)


def oversized_line(conn):
    conn.sendall(b"220-" + b"A" * 10000)
    time.sleep(30)


def refuses_starttls(conn):
    conn.sendall(b"220 mx.example ESMTP\r\n")
    f = conn.makefile("rb")
    f.readline()
    conn.sendall(b"250-mx.example\r\n250 PIPELINING\r\n")
    f.readline()
    conn.sendall(b"454 4.7.0 TLS not available\r\n")
    time.sleep(30)


def closes_at_once(conn):
    conn.close()


CASES = [
    # (name, handler or None for a closed port, target suffix, expected class, message fragment)
    ("refused", None, "", "refused", "Connection refused"),
    ("plain-text service on a TLS port", plain_smtp, ",starttls=tls", "tls", "plain-text"),
    ("stall before any byte", stall, ",starttls=tls", "timeout", "TLS handshake"),
    ("stall mid-handshake", partial_server_hello, ",starttls=tls", "timeout", "TLS handshake"),
    ("garbage STARTTLS reply", garbage_starttls, ",starttls=smtp", "starttls", "not a numeric reply"),
    ("oversized line", oversized_line, ",starttls=smtp", "protocol", "longer than"),
    ("STARTTLS refused", refuses_starttls, ",starttls=smtp", "starttls", "454"),
    ("closed at once", closes_at_once, ",starttls=tls", "tls", ""),
    ("silent STARTTLS peer", stall, ",starttls=imap", "timeout", "STARTTLS"),
]


@pytest.fixture(scope="module")
def peers():
    servers = {}
    for name, handler, _, _, _ in CASES:
        servers[name] = FakeServer(handler) if handler else None
    yield servers
    for s in servers.values():
        if s:
            s.stop()


def target_for(peers, name, suffix):
    s = peers[name]
    return f"127.0.0.1:{s.port if s else free_port()}{suffix}"


@pytest.mark.parametrize("name,handler,suffix,cls,fragment", CASES, ids=[c[0] for c in CASES])
def test_error_class(eku_bin, peers, name, handler, suffix, cls, fragment):
    t0 = time.time()
    r = run([eku_bin, "scan", "--no-system", "--format", "json", "--connect-timeout", "1s",
             "--handshake-timeout", "1s", target_for(peers, name, suffix)], timeout=30)
    elapsed = time.time() - t0
    assert r.returncode == 3, r.stderr
    (res,) = json.loads(r.stdout)["results"]
    assert res["error"]["class"] == cls, res["error"]
    assert fragment in res["error"]["message"]
    assert elapsed < 5, f"{name} took {elapsed:.1f}s with 1s timeouts"


def test_dns_failure(eku_bin):
    r = run([eku_bin, "scan", "--no-system", "--format", "json", "--connect-timeout", "2s",
             "no-such-host.invalid:443"], timeout=30)
    assert r.returncode == 3
    (res,) = json.loads(r.stdout)["results"]
    assert res["error"]["class"] in ("dns", "timeout")  # no resolver at all ends in timeout


def test_total_timeout(eku_bin, peers):
    t0 = time.time()
    r = run([eku_bin, "scan", "--no-system", "--format", "json", "--handshake-timeout", "20s",
             "--timeout", "1s", target_for(peers, "stall before any byte", ",starttls=tls")], timeout=30)
    assert time.time() - t0 < 5
    (res,) = json.loads(r.stdout)["results"]
    assert res["error"]["class"] == "timeout" and "total timeout" in res["error"]["message"]


def test_failures_do_not_stop_others(eku_bin, peers, tmp_path):
    """All broken peers plus one healthy TLS server in one run (targets file with
    comments); the healthy one completes, each broken one keeps its class."""
    good = socket.socket()
    good.bind(("127.0.0.1", 0))
    good.listen(8)
    port = good.getsockname()[1]
    import ssl
    import subprocess
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", str(tmp_path / "k.pem"), "-out", str(tmp_path / "c.pem"),
                    "-subj", "/CN=good.example", "-days", "10"], check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")

    def serve():
        while True:
            try:
                c, _ = good.accept()
            except OSError:
                return
            try:
                s = ctx.wrap_socket(c, server_side=True)
                s.recv(10)
                s.close()
            except (OSError, ssl.SSLError):
                pass
    threading.Thread(target=serve, daemon=True).start()
    lines = ["# broken peers and one good one", f"127.0.0.1:{port}  # the good one"]
    lines += [target_for(peers, n, sfx) for n, _, sfx, _, _ in CASES]
    (tmp_path / "targets.txt").write_text("\n".join(lines) + "\n\n")
    t0 = time.time()
    r = run([eku_bin, "scan", "--no-system", "--format", "jsonl", "--connect-timeout", "1s",
             "--handshake-timeout", "1s", "--concurrency", "4", "--targets", str(tmp_path / "targets.txt")],
            timeout=60)
    good.close()
    assert time.time() - t0 < 10
    assert r.returncode == 3
    res = {x["target"]: x for x in map(json.loads, r.stdout.splitlines())}
    assert len(res) == len(CASES) + 1
    ok = res[f"127.0.0.1:{port}"]
    assert ok["error"] is None and ok["client_auth"] == "none" and ok["tls_version"] == "TLSv1.3"
    for n, _, sfx, cls, _ in CASES:
        if peers[n] is not None:
            assert res[target_for(peers, n, sfx)]["error"]["class"] == cls


@pytest.mark.parametrize("args,fragment", [
    (["example.com:0"], "not a port number"),
    (["example.com:443,starttls=gopher"], "unknown protocol"),
    (["[::1:443"], "unbalanced"),
    ([], "no target given"),
    (["--concurrency", "0", "x:1"], "--concurrency"),
    (["--timeout", "soon", "x:1"], "duration"),
    (["--client-key", "k.pem", "x:1"], "after its --client-cert"),
])
def test_usage_errors(eku_bin, args, fragment):
    r = run([eku_bin, "scan", "--no-system", *args])
    assert r.returncode == 2
    assert fragment in r.stderr


def test_targets_file_reports_every_bad_line(eku_bin, tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("good.example:443\nbad:99999\n# comment\nalso bad:x\n")
    r = run([eku_bin, "scan", "--no-system", "--targets", str(f)])
    assert r.returncode == 2
    assert f"{f}:2:" in r.stderr and f"{f}:4:" in r.stderr
