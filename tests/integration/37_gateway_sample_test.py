"""The gateway sample runs as shipped: the README's "eku gateway" lines, run
exactly as written (in a scratch copy of the repository layout, with
./build/eku pointing at EKU_BIN), start the gateway from
examples/gateway/gateway.yaml and make-pki.sh, and it proxies a partner's
TLS connection to a TLS upstream: first as root without a user, then with
the privilege drop (--user eku), where a SIGHUP reload must still succeed
because make-pki.sh gave the keys to that user.
"""
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, wait_port

PROXY_V2_SIG = b"\r\n\r\n\x00\r\nQUIT\n"
SAMPLE_PORTS = (5061, 5062, 9901, 15061)


def readme_blocks():
    """The sh blocks of the README's '### eku gateway' section, as lists of lines."""
    text = (ROOT / "README.md").read_text()
    sect = text.split("### eku gateway", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return [[ln for ln in b.strip().splitlines() if ln.strip()]
            for b in re.findall(r"```sh\n(.*?)```", sect, re.S)]


def port_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise OSError("upstream: peer closed early")
        buf += chunk
    return buf


class Upstream:
    """cucm.internal of the sample: TLS on 15061, reads the PROXY v2 header,
    then echoes one message prefixed with the identity it was told."""

    def __init__(self, pki):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pki / "cucm.internal.pem", pki / "cucm.internal.key")
        self.ctx = ctx
        self.sock = socket.create_server(("127.0.0.1", 15061))
        self.headers = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            try:
                # The PROXY v2 header comes first, in clear, then TLS.
                raw.settimeout(10)
                head = recv_exact(raw, 16)
                assert head[:12] == PROXY_V2_SIG, head
                self.headers.append(recv_exact(raw, struct.unpack("!H", head[14:16])[0]))
                with self.ctx.wrap_socket(raw, server_side=True) as c:
                    c.sendall(b"echo:" + c.recv(4096))
            except (OSError, AssertionError, ssl.SSLError):
                pass

    def close(self):
        # shutdown() wakes the accept() of the thread; close() alone would
        # leave the port bound until it returns.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def partner_call(pki):
    """sip.partner.example (serverAuth only: allowed by ignore-client-eku)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki / "edge-ca.pem")
    ctx.load_cert_chain(pki / "sip.partner.example.pem", pki / "sip.partner.example.key")
    with socket.create_connection(("127.0.0.1", 5061), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="edge.example.com") as c:
            c.sendall(b"OPTIONS sip:cucm.internal SIP/2.0")
            return c.recv(4096)


def status():
    return json.loads(urllib.request.urlopen("http://127.0.0.1:9901/status", timeout=5).read())


@pytest.fixture
def scratch(tmp_path, eku_bin):
    for p in SAMPLE_PORTS:
        if not port_free(p):
            pytest.skip(f"127.0.0.1:{p} is in use: the sample config listens there")
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "gateway", root / "examples" / "gateway",
                    ignore=shutil.ignore_patterns("pki"))
    (root / "build").mkdir()
    (root / "build" / "eku").symlink_to(eku_bin)
    # The dropped user must reach the config and pki/ (tmp_path is 0700).
    for d in [tmp_path, root, root / "examples", root / "examples" / "gateway"]:
        d.chmod(0o755)
    return root


def run_lines(lines, cwd):
    """Runs each README line as written; the last one (the gateway) in the background."""
    for line in lines[:-1]:
        r = subprocess.run(["sh", "-c", line], cwd=cwd, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, f"{line}\n{r.stdout}{r.stderr}"
    log = open(cwd / "gateway.log", "w")
    gw = subprocess.Popen(["sh", "-c", "exec " + lines[-1]], cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_port(9901, gw)
        wait_port(5061, gw)
    except Exception:
        gw.kill()
        raise RuntimeError((cwd / "gateway.log").read_text())
    return gw


def stop(gw):
    gw.send_signal(signal.SIGTERM)
    try:
        gw.wait(timeout=40)
    except subprocess.TimeoutExpired:
        gw.kill()
        gw.wait()


def test_readme_gateway_lines_as_root_or_user(scratch):
    blocks = readme_blocks()
    assert len(blocks) >= 1 and "make-pki.sh" in blocks[0][0], blocks
    assert all(ln.startswith(("examples/gateway/", "./build/eku gateway")) for ln in blocks[0]), blocks[0]
    gw, upstream = Upstream_after(scratch, blocks[0])
    try:
        assert partner_call(scratch / "examples" / "gateway" / "pki") == b"echo:OPTIONS sip:cucm.internal SIP/2.0"
        assert b"sip.partner.example" in upstream.headers[-1]  # verified identity as a PROXY v2 TLV
        stop(gw)
        assert gw.returncode == 0, (scratch / "gateway.log").read_text()
    finally:
        if gw.poll() is None:
            gw.kill()
            gw.wait()
        upstream.close()


def Upstream_after(scratch, lines):
    """Runs make-pki.sh (the first line) before the upstream needs its certificate."""
    r = subprocess.run(["sh", "-c", lines[0]], cwd=scratch, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    upstream = Upstream(scratch / "examples" / "gateway" / "pki")
    try:
        gw = run_lines(lines[1:] if len(lines) > 1 else lines, scratch)
    except Exception:
        upstream.close()
        raise
    return gw, upstream


def test_readme_gateway_privilege_drop(scratch):
    if os.geteuid() != 0:
        pytest.skip("the privilege drop needs root (useradd, then the gateway drops to eku)")
    if shutil.which("useradd") is None and not Path("/usr/sbin/useradd").exists():
        pytest.skip("useradd not installed (Debian package passwd)")
    blocks = readme_blocks()
    assert len(blocks) >= 2, "README: no privilege-drop block in '### eku gateway'"
    lines = blocks[1]
    assert "useradd" in lines[0] and "make-pki.sh eku" in lines[1] and "--user eku" in lines[2], lines
    r = subprocess.run(["sh", "-c", lines[0]], cwd=scratch, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    gw, upstream = Upstream_after(scratch, lines[1:])
    try:
        uid = int(re.search(r"^Uid:\s+(\d+)", Path(f"/proc/{gw.pid}/status").read_text(), re.M).group(1))
        import pwd
        assert uid == pwd.getpwnam("eku").pw_uid, "the gateway did not drop to eku"
        assert partner_call(scratch / "examples" / "gateway" / "pki").startswith(b"echo:")
        before = status()["config"]["version"]
        gw.send_signal(signal.SIGHUP)
        end = time.time() + 10
        while time.time() < end and status()["config"]["version"] == before:
            assert status()["last_reload_error"] is None, status()["last_reload_error"]
            time.sleep(0.1)
        st = status()
        assert st["last_reload_error"] is None and st["config"]["version"] > before, \
            (st, (scratch / "gateway.log").read_text())
        assert partner_call(scratch / "examples" / "gateway" / "pki").startswith(b"echo:")
        stop(gw)
        assert gw.returncode == 0, (scratch / "gateway.log").read_text()
    finally:
        if gw.poll() is None:
            gw.kill()
            gw.wait()
        upstream.close()


def test_privilege_drop_to_a_user_that_cannot_read_the_keys_stops_at_start(scratch, eku_bin):
    """make-pki.sh without the user leaves root-only keys: starting with
    --user eku must fail at once, naming the cause, instead of failing every
    later reload."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    import pwd
    try:
        pwd.getpwnam("eku")
    except KeyError:
        pytest.skip("no user eku (created by test_readme_gateway_privilege_drop or the .deb)")
    r = subprocess.run(["sh", "-c", "examples/gateway/make-pki.sh"], cwd=scratch, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([eku_bin, "gateway", "--user", "eku", "examples/gateway/gateway.yaml"], cwd=scratch,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 3, r.stderr
    assert "after dropping privileges" in r.stderr and "make-pki.sh USER" in r.stderr, r.stderr
    r = subprocess.run([eku_bin, "gateway", "--check", "--user", "no-such-user-eku", "examples/gateway/gateway.yaml"],
                       cwd=scratch, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "does not exist" in r.stderr and "useradd" in r.stderr, r.stderr
