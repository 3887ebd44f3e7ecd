"""eku gateway with real TLS clients (curl, openssl s_client) on 127.0.0.1.

Certificates are generated at test time with openssl (keys 0600). Upstream is
a small Python HTTP responder that also decodes a PROXY v2 header when one
arrives. Scenarios: enforce refuses a serverAuth-only client certificate;
ignore-client-eku lets it through only when its SAN is allow-listed;
permissive passes it and counts it in would_fail; observe mode records it;
config check reports every error with file:line:column; a reload with a bad
config keeps the old one serving; live connections keep their config; SIGTERM
drains; with workers: 2, a reload and a drain (with its deadline cut) span both
worker loops. EKU_GW_WORKERS=N runs every scenario with workers: N.
"""
import json
import os
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

from conftest import free_port, need, run

# ---------------------------------------------------------------- PKI helpers

LEAVES = {
    # name: (issuer, EKU, SAN)
    "gw-server": ("ca", "serverAuth", "DNS:gw.example,DNS:localhost,IP:127.0.0.1"),
    "gw-client": ("ca", "clientAuth", "DNS:gw-client.example"),
    "up-server": ("ca", "serverAuth", "DNS:upstream.example,IP:127.0.0.1"),
    "cli-dual": ("ca", "serverAuth,clientAuth", "DNS:client.example"),
    "cli-server-only": ("ca", "serverAuth", "DNS:partner.example"),
    "cli-stranger": ("ca", "serverAuth", "DNS:stranger.example"),
    "cli-untrusted": ("rogue", "serverAuth,clientAuth", "DNS:partner.example"),
}


def _openssl(*args, cwd):
    r = run(["openssl", *args], cwd=cwd)
    assert r.returncode == 0, r.stderr
    return r


def make_pki(d: Path):
    """CA 'ca' (trusted), CA 'rogue' (untrusted) and the leaves above."""
    need("openssl")
    d.mkdir(parents=True, exist_ok=True)
    old = os.umask(0o077)
    try:
        for ca in ("ca", "rogue"):
            _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                     "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", "30",
                     "-subj", f"/CN=eku gateway test {ca}",
                     "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
        for name, (issuer, eku, san) in LEAVES.items():
            ext = d / f"{name}.ext"
            ext.write_text("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                           f"extendedKeyUsage={eku}\nsubjectAltName={san}\n")
            _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}",
                     cwd=d)
            _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{issuer}.pem",
                     "-CAkey", f"{issuer}.key", "-CAcreateserial", "-days", "10",
                     "-out", f"{name}.pem", "-extfile", ext.name, cwd=d)
        # self-signed, as a client would send it to a policy: off route
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", "cli-selfsigned.key", "-out", "cli-selfsigned.pem",
                 "-days", "10", "-subj", "/CN=admin.example",
                 "-addext", "extendedKeyUsage=clientAuth", cwd=d)
    finally:
        os.umask(old)
    for k in d.glob("*.key"):
        k.chmod(0o600)
    return d


# ------------------------------------------------------------ upstream server

class Upstream:
    """HTTP responder on 127.0.0.1; decodes PROXY v2 TLVs into the reply."""

    SIG = b"\r\n\r\n\x00\r\nQUIT\n"

    def __init__(self):
        self.port = free_port()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(128)
        self.headers = []
        self.stop = False
        self.t = threading.Thread(target=self._serve, daemon=True)
        self.t.start()

    def _serve(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(c,), daemon=True).start()

    @staticmethod
    def parse_pp2(buf):
        hlen = struct.unpack(">H", buf[14:16])[0]
        body = buf[16:16 + hlen]
        fam = buf[13]
        off = 12 if fam == 0x11 else 36 if fam == 0x21 else 0
        tlvs = {}
        while off + 3 <= len(body):
            t, ln = body[off], struct.unpack(">H", body[off + 1:off + 3])[0]
            tlvs[t] = body[off + 3:off + 3 + ln]
            off += 3 + ln
        return 16 + hlen, tlvs

    @staticmethod
    def parse_ssl(v):
        """PP2_TYPE_SSL: client flags, verify, then sub-TLVs (by type)."""
        subs, off = {}, 5
        while off + 3 <= len(v):
            t, ln = v[off], struct.unpack(">H", v[off + 1:off + 3])[0]
            subs[hex(t)] = v[off + 3:off + 3 + ln].decode("latin-1")
            off += 3 + ln
        return {"client": v[0], "verify": struct.unpack(">I", v[1:5])[0], "subs": subs}

    def _recv_more(self, c, data):
        chunk = c.recv(65536)
        if not chunk:
            raise EOFError
        return data + chunk

    def _one(self, c):
        data = b""
        info = {}
        c.settimeout(10)
        try:
            data = self._recv_more(c, data)
            if data.startswith(self.SIG):
                while len(data) < 16 or len(data) < 16 + struct.unpack(">H", data[14:16])[0]:
                    data = self._recv_more(c, data)
                n, tlvs = self.parse_pp2(data)
                info = {hex(k): v.hex() if k == 0xE1 else v.decode("latin-1")
                        for k, v in tlvs.items() if k != 0x20}
                if 0x20 in tlvs:
                    info["ssl"] = self.parse_ssl(tlvs[0x20])
                self.headers.append(info)
                data = data[n:]
            while len(data) < 4:
                data = self._recv_more(c, data)
            if data.startswith(b"ECHO"):
                c.sendall(data)
                while True:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    c.sendall(chunk)
                return
            while b"\r\n\r\n" not in data:
                data = self._recv_more(c, data)
            body = json.dumps({"ok": True, "proxy": info}).encode()
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                      + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        except (OSError, EOFError):
            pass
        finally:
            c.close()

    def close(self):
        self.stop = True
        self.sock.close()


# ------------------------------------------------------------- the gateway

class Gateway:
    def __init__(self, eku_bin, cfg_path: Path, admin_port):
        self.cfg = cfg_path
        self.log = cfg_path.with_suffix(".log")
        self.admin = admin_port
        self.p = subprocess.Popen([eku_bin, "gateway", "--log", str(self.log), str(cfg_path)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.p.poll() is not None:
                raise AssertionError(f"gateway exited: {self.p.stderr.read()}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("gateway did not come up")

    def get(self, path, method="GET"):
        # State-changing admin requests carry X-Eku-Admin (docs/gateway.md).
        headers = {"X-Eku-Admin": "1"} if method == "POST" else {}
        req = urllib.request.Request(f"http://127.0.0.1:{self.admin}{path}", method=method,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def status(self):
        return json.loads(self.get("/status")[1])

    def metric(self, name, **labels):
        total = 0
        for line in self.get("/metrics")[1].splitlines():
            if not line.startswith(name + "{"):
                continue
            if all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += int(line.rsplit(" ", 1)[1])
        return total

    def logs(self):
        return self.log.read_text() if self.log.exists() else ""

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode


def route_yaml(name, port, up_port, policy, allow=None, observe=False, proxy=False):
    y = (f"  - name: {name}\n    listen: [127.0.0.1:{port}]\n    client_auth: require\n"
         f"    policy: {policy}\n    observe: {str(observe).lower()}\n")
    if allow:
        y += "    allow:\n      dns: [" + ", ".join(allow) + "]\n"
    y += f"    upstream:\n      address: 127.0.0.1:{up_port}\n"
    if proxy:
        y += "      proxy_protocol: v2\n"
    return y


def config_yaml(pki, admin, routes, workers=None):
    workers = workers or os.environ.get("EKU_GW_WORKERS")
    return (f"version: 1\n" + (f"workers: {workers}\n" if workers else "") +
            f"admin:\n  listen: 127.0.0.1:{admin}\n"
            "limits:\n  handshake_timeout: 5s\n  idle_timeout: 30s\n  drain_timeout: 5s\n"
            f"trust: [{pki}/ca.pem]\n"
            f"server_store:\n  - name: gw\n    cert: {pki}/gw-server.pem\n"
            f"    key: {pki}/gw-server.key\n    default: true\n"
            f"client_store:\n  - name: gwc\n    cert: {pki}/gw-client.pem\n"
            f"    key: {pki}/gw-client.key\n"
            "routes:\n" + "".join(routes))


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("gwpki"))


@pytest.fixture(scope="module")
def upstream():
    u = Upstream()
    yield u
    u.close()


@pytest.fixture(scope="module")
def gw(eku_bin, pki, upstream, tmp_path_factory):
    need("curl")
    ports = {n: free_port() for n in ("enforce", "ignore", "permissive", "proxy", "off_proxy",
                                      "perm_proxy", "admin")}
    routes = [
        route_yaml("enforce", ports["enforce"], upstream.port, "enforce"),
        route_yaml("ignore", ports["ignore"], upstream.port, "ignore-client-eku",
                   allow=["partner.example"]),
        route_yaml("permissive", ports["permissive"], upstream.port, "permissive", observe=True),
        route_yaml("proxy", ports["proxy"], upstream.port, "ignore-client-eku",
                   allow=["partner.example", "client.example"], proxy=True),
        route_yaml("off-proxy", ports["off_proxy"], upstream.port, "off", proxy=True),
        route_yaml("perm-proxy", ports["perm_proxy"], upstream.port, "permissive", proxy=True),
    ]
    cfg = tmp_path_factory.mktemp("gwcfg") / "gateway.yaml"
    cfg.write_text(config_yaml(pki, ports["admin"], routes))
    g = Gateway(eku_bin, cfg, ports["admin"])
    g.ports = ports
    g.routes = routes
    yield g
    g.stop()


def curl(pki, port, client):
    cmd = ["curl", "-sS", "--max-time", "10", "--cacert", str(pki / "ca.pem"),
           "--resolve", f"gw.example:{port}:127.0.0.1"]
    if client:
        cmd += ["--cert", str(pki / f"{client}.pem"), "--key", str(pki / f"{client}.key")]
    return run(cmd + [f"https://gw.example:{port}/"])


def s_client(pki, port, client):
    need("openssl")
    cmd = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "gw.example",
           "-CAfile", str(pki / "ca.pem"), "-verify_return_error", "-ign_eof",
           "-cert", str(pki / f"{client}.pem"), "-key", str(pki / f"{client}.key")]
    return run(cmd, input="GET / HTTP/1.0\r\n\r\n", timeout=20)


# ------------------------------------------------------------------ scenarios

def test_check_valid_and_all_errors_at_once(eku_bin, pki, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(config_yaml(pki, free_port(), [route_yaml("r", free_port(), 9, "enforce")]))
    r = run([eku_bin, "gateway", "--check", str(good)])
    assert r.returncode == 0, r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\n"
        "limits:\n  idle_timeout: soon\n"                  # line 3
        f"server_store:\n  - name: gw\n    cert: {pki}/gw-server.pem\n"
        f"    key: {pki}/gw-server.key\n    colour: blue\n"  # line 8: unknown key
        "routes:\n  - name: r\n    listen: [127.0.0.1:notaport]\n"  # line 11
        "    policy: ignore-client-eku\n"                  # allow-list missing
        "    upstream: {address: 127.0.0.1:1}\n")
    r = run([eku_bin, "gateway", "--check", str(bad)])
    assert r.returncode == 2
    err = r.stderr
    assert f"{bad}:3:17:" in err and "duration" in err
    assert f"{bad}:8:5:" in err and "unknown key 'colour'" in err
    assert f"{bad}:11:14:" in err and "notaport" in err
    assert "needs an allow-list" in err


def test_check_refuses_world_readable_key_and_serveronly_client_store(eku_bin, pki, tmp_path):
    key = tmp_path / "open.key"
    key.write_bytes((pki / "gw-server.key").read_bytes())
    key.chmod(0o644)
    cfg = config_yaml(pki, free_port(), [route_yaml("r", free_port(), 9, "enforce")])
    cfg = cfg.replace(f"{pki}/gw-server.key", str(key))
    cfg = cfg.replace(f"{pki}/gw-client.pem", f"{pki}/cli-server-only.pem")
    cfg = cfg.replace(f"{pki}/gw-client.key", f"{pki}/cli-server-only.key")
    p = tmp_path / "c.yaml"
    p.write_text(cfg)
    r = run([eku_bin, "gateway", "--check", str(p)])
    assert r.returncode == 2
    assert "readable or writable by others" in r.stderr
    assert "lacks clientAuth" in r.stderr and "present_server_cert_as_client" in r.stderr
    assert "BEGIN" not in r.stderr and "PRIVATE" not in r.stderr


def test_enforce_refuses_serveronly_client(gw, pki):
    port = gw.ports["enforce"]
    ok = curl(pki, port, "cli-dual")
    assert ok.returncode == 0 and '"ok": true' in ok.stdout, ok.stderr
    bad = curl(pki, port, "cli-server-only")
    assert bad.returncode != 0
    assert curl(pki, port, "cli-untrusted").returncode != 0
    sc = s_client(pki, port, "cli-server-only")
    assert "HTTP/1.1 200" not in sc.stdout
    assert gw.metric("eku_gateway_handshake_failures_total", route="enforce",
                     reason="peer_client_eku_missing") >= 2
    assert gw.metric("eku_gateway_connections_total", route="enforce", result="ok") >= 1


def test_ignore_client_eku_only_allowlisted_san(gw, pki):
    port = gw.ports["ignore"]
    ok = curl(pki, port, "cli-server-only")
    assert ok.returncode == 0 and '"ok": true' in ok.stdout, ok.stderr
    sc = s_client(pki, port, "cli-server-only")
    assert "HTTP/1.1 200" in sc.stdout
    assert curl(pki, port, "cli-stranger").returncode != 0   # serverAuth-only, not allowed
    assert curl(pki, port, "cli-untrusted").returncode != 0  # allowed SAN, untrusted CA
    assert gw.metric("eku_gateway_handshake_failures_total", route="ignore",
                     reason="peer_not_allowed") >= 1


def test_permissive_passes_and_counts_would_fail(gw, pki):
    port = gw.ports["permissive"]
    before = gw.metric("eku_gateway_would_fail_total", route="permissive", policy="enforce")
    ok = curl(pki, port, "cli-server-only")
    assert ok.returncode == 0 and '"ok": true' in ok.stdout, ok.stderr
    assert gw.metric("eku_gateway_would_fail_total", route="permissive",
                     policy="enforce") == before + 1
    assert gw.metric("eku_gateway_peer_certs_total", route="permissive",
                     eku_class="server_only", issuer_class="private") >= 1
    # observe: true records the certificate with its verdict under every policy
    obs = [o for o in gw.status()["observed"] if o["route"] == "permissive"]
    so = [o for o in obs if o["eku_class"] == "server_only"]
    assert so and so[0]["verdicts"]["enforce"] == "fail"
    assert so[0]["verdicts"]["permissive"] == "pass" and so[0]["not_after"]
    assert "event=observe route=permissive" in gw.logs()


def test_proxy_v2_carries_verified_identity(gw, pki, upstream):
    ok = curl(pki, gw.ports["proxy"], "cli-server-only")
    assert ok.returncode == 0, ok.stderr
    info = json.loads(ok.stdout)["proxy"]
    assert info["0x2"] == "gw.example"               # PP2_TYPE_AUTHORITY (SNI)
    assert "partner.example" in info["0xe0"]         # allow-list entry that matched
    assert info["0xe2"] == "server_only" and info["0xe3"] == "ignore-client-eku"
    assert len(info["0xe1"]) == 64                   # SPKI SHA-256


IDENTITY_TLVS = ("0xe0", "0xe1", "0xe2", "0xe3")


def assert_unverified_header(info):
    """PP2_TYPE_SSL says "certificate sent, not verified" and no identity."""
    ssl_tlv = info["ssl"]
    assert ssl_tlv["verify"] != 0, info
    assert ssl_tlv["client"] == 0x07, info            # SSL | CERT_CONN | CERT_SESS
    assert "0x22" not in ssl_tlv["subs"], info        # no CN
    assert ssl_tlv["subs"]["0x21"].startswith("TLSv1"), info
    assert not [t for t in IDENTITY_TLVS if t in info], info


def test_proxy_v2_policy_off_claims_nothing(gw, pki):
    ok = curl(pki, gw.ports["off_proxy"], "cli-selfsigned")
    assert ok.returncode == 0, ok.stderr
    assert_unverified_header(json.loads(ok.stdout)["proxy"])


def test_proxy_v2_permissive_failing_cert_claims_nothing(gw, pki):
    ok = curl(pki, gw.ports["perm_proxy"], "cli-server-only")   # fails enforce, admitted
    assert ok.returncode == 0, ok.stderr
    assert_unverified_header(json.loads(ok.stdout)["proxy"])
    ok = curl(pki, gw.ports["perm_proxy"], "cli-dual")          # clean: identity claimed
    info = json.loads(ok.stdout)["proxy"]
    assert info["ssl"]["verify"] == 0 and info["ssl"]["subs"]["0x22"] == "CN=cli-dual", info
    assert info["0xe3"] == "permissive" and len(info["0xe1"]) == 64, info


def test_logs_one_line_per_connection_without_key_material(gw, pki):
    curl(pki, gw.ports["enforce"], "cli-dual")
    lines = [l for l in gw.logs().splitlines() if "event=conn " in l]
    assert lines and all("route=" in l and "result=" in l for l in lines)
    text = gw.logs()
    assert "PRIVATE KEY" not in text and "BEGIN" not in text


RLO = "\u202e"


def test_logs_escape_bidi_and_controls_from_subject(gw, pki, tmp_path):
    """A U+202E in a certificate subject would reorder the log line on screen
    ("exe.gpj" shown as "jpg.exe"): it is written as \\u202e, as is a C1
    control; /status carries no raw bidi bytes either."""
    old = os.umask(0o077)
    try:
        _openssl("req", "-utf8", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", "rlo.key", "-out", "rlo.csr",
                 "-subj", f"/CN=evil{RLO}exe.gpj/O=a\u0085b\u2066", cwd=tmp_path)
        (tmp_path / "rlo.ext").write_text("extendedKeyUsage=clientAuth\n")
        _openssl("x509", "-req", "-in", "rlo.csr", "-CA", str(pki / "ca.pem"),
                 "-CAkey", str(pki / "ca.key"), "-CAcreateserial", "-days", "2",
                 "-out", "rlo.pem", "-extfile", "rlo.ext", cwd=tmp_path)
    finally:
        os.umask(old)
    cmd = ["curl", "-sS", "--max-time", "10", "--cacert", str(pki / "ca.pem"),
           "--resolve", f"gw.example:{gw.ports['permissive']}:127.0.0.1",
           "--cert", str(tmp_path / "rlo.pem"), "--key", str(tmp_path / "rlo.key"),
           f"https://gw.example:{gw.ports['permissive']}/"]
    r = run(cmd)
    assert r.returncode == 0, r.stderr
    time.sleep(0.2)
    raw = gw.log.read_bytes()
    for bad in (RLO, "\u0085", "\u2066"):
        assert bad.encode() not in raw, bad
    text = raw.decode()
    conn = [l for l in text.splitlines() if "event=conn" in l and "exe.gpj" in l]
    assert conn and 'subject="O=a\\u0085b\\u2066,CN=evil\\u202eexe.gpj"' in conn[-1], conn
    obs = [l for l in text.splitlines() if "event=observe" in l and "exe.gpj" in l]
    assert obs and "evil\\u202eexe.gpj" in obs[-1], obs
    status = urllib.request.urlopen(f"http://127.0.0.1:{gw.admin}/status", timeout=10).read()
    assert RLO.encode() not in status and b"exe.gpj" in status
    subjects = [o["subject"] for o in json.loads(status)["observed"]]
    assert any(s.endswith(f"evil{RLO}exe.gpj") for s in subjects), subjects   # JSON decodes it


def test_status_and_store_expiry_metric(gw):
    st = gw.status()
    assert st["schema"] == "eku/1" and st["config"]["version"] >= 1
    assert {r["name"] for r in st["routes"]} >= {"enforce", "ignore", "permissive", "proxy",
                                                 "off-proxy", "perm-proxy"}
    assert st["stores"]["server"][0]["eku_class"] == "server_only"
    assert st["stores"]["client"][0]["eku_class"] == "client_only"
    m = gw.get("/metrics")[1]
    assert 'eku_gateway_store_cert_not_after_seconds{store="server",entry="gw"' in m
    assert "eku_gateway_active_connections" in m


def tls_client(pki, port, client="cli-dual"):
    ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    ctx.load_cert_chain(str(pki / f"{client}.pem"), str(pki / f"{client}.key"))
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                        server_hostname="gw.example")
    return s


def test_reload_bad_config_keeps_serving_live_keeps_old(gw, pki):
    port = gw.ports["enforce"]
    v0 = gw.status()["config"]["version"]
    live = tls_client(pki, port)                  # opened under the current config
    live.sendall(b"ECHO1")
    assert live.recv(16) == b"ECHO1"
    good = gw.cfg.read_text()
    try:
        gw.cfg.write_text(good + "  - name: broken\n    listen: nowhere\n")
        gw.p.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        st = gw.status()
        assert st["config"]["version"] == v0
        assert st["last_reload_error"] and "gateway.yaml:" in st["last_reload_error"]
        assert curl(pki, port, "cli-dual").returncode == 0   # still serving
        code, body = gw.get("/reload", method="POST")
        assert code == 422 and "still serving" in body
        gw.cfg.write_text(good)
        code, body = gw.get("/reload", method="POST")
        assert code == 200, body
        assert gw.status()["config"]["version"] == v0 + 1
        live.sendall(b"ECHO2")                     # the old connection still works
        assert live.recv(16) == b"ECHO2"
        assert curl(pki, port, "cli-dual").returncode == 0
    finally:
        gw.cfg.write_text(good)
        live.close()
    time.sleep(0.3)
    assert any(l.endswith(f"config_version={v0}") and "bytes_in=10" in l
               for l in gw.logs().splitlines())
    assert gw.metric("eku_gateway_reloads_total", result="failed") >= 2


def test_sigterm_drains(eku_bin, pki, upstream, tmp_path):
    admin, port = free_port(), free_port()
    cfg = tmp_path / "gateway.yaml"
    cfg.write_text(config_yaml(pki, admin, [route_yaml("r", port, upstream.port, "enforce")]))
    g = Gateway(eku_bin, cfg, admin)
    live = tls_client(pki, port)
    live.sendall(b"ECHO")
    assert live.recv(8) == b"ECHO"
    g.p.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert g.get("/healthz")[0] == 503           # draining, still answering
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    live.sendall(b"MORE")                         # the live connection is not cut
    assert live.recv(8) == b"MORE"
    live.close()
    assert g.p.wait(timeout=10) == 0
    assert "event=drain" in g.logs() and "event=stop" in g.logs()


def test_workers_reload_and_drain(eku_bin, pki, upstream, tmp_path):
    admin, port = free_port(), free_port()
    cfg = tmp_path / "gateway.yaml"
    text = config_yaml(pki, admin, [route_yaml("r", port, upstream.port, "enforce")], workers=2)
    cfg.write_text(text.replace("drain_timeout: 5s", "drain_timeout: 1s"))
    g = Gateway(eku_bin, cfg, admin)
    try:
        # Round-robin hand-off: four connections land on both workers.
        old = [tls_client(pki, port) for _ in range(4)]
        for i, s in enumerate(old):
            s.sendall(b"ECHO%d" % i)                  # the upstream echoes from here on
            assert s.recv(8) == b"ECHO%d" % i
        code, body = g.get("/reload", method="POST")
        assert code == 200, body
        assert g.status()["config"]["version"] == 2
        new = [tls_client(pki, port) for _ in range(2)]
        for i, s in enumerate(new):                   # new connections on every worker
            s.sendall(b"ECHO%d" % i)
            assert s.recv(8) == b"ECHO%d" % i
        for s in old + new[1:]:
            s.sendall(b"LIVE")
            assert s.recv(8) == b"LIVE"
        for s in old:
            s.close()
        for _ in range(50):                           # the closes reach the workers
            if g.status()["active_connections"] == 2:
                break
            time.sleep(0.1)
        assert g.status()["active_connections"] == 2
        g.p.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        assert g.get("/healthz")[0] == 503
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        new[0].sendall(b"MORE")                       # live ones keep working while draining
        assert new[0].recv(8) == b"MORE"
        new[0].close()                                # new[1] stays open: cut at the deadline
        assert g.p.wait(timeout=10) == 0
        new[1].close()
        logs = g.logs().splitlines()
        assert any("event=start" in l and "workers=2" in l for l in logs)
        conns = [l for l in logs if "event=conn" in l]
        assert sum(l.endswith("config_version=1") for l in conns) == 4
        assert sum(l.endswith("config_version=2") for l in conns) == 2
        assert any("event=drain_deadline cut=1" in l for l in logs)
        assert sum("result=drain_cut" in l for l in conns) == 1
        assert any("event=stop active=0" in l for l in logs)
    finally:
        g.stop()
