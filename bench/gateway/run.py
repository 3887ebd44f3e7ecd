#!/usr/bin/python3
"""Benchmark eku gateway against stunnel4 and haproxy as equivalent mTLS-
terminating proxies: same machine, same run, same certificates (ECDSA P-256
from tests/integration/30_gateway_mtls_test.py), TLS 1.3 defaults, client
certificate required and verified by every proxy, plain TCP upstream.

Measures, per proxy:
  handshakes/s   new mTLS connections per second (openssl s_time -new)
  MB/s x1, x64   bulk download through the proxy, 1 and 64 parallel streams (curl)
  p50/p99 added  round-trip latency of a 64-byte echo, minus the direct round trip
  KiB/idle conn  RSS growth of the proxy with N idle TLS connections open

Fairness: all three issue two TLS 1.3 session tickets per handshake (their
defaults, checked with s_client) and none is resumed (s_time -new, fresh curl
processes); TCP_NODELAY on both sides of every proxy (stunnel and haproxy
default, eku sets it); one thread each, unless --workers / --haproxy-threads
say otherwise (--workers 1,2 runs eku twice per round, as eku-w1 and eku-w2). Every round starts each proxy afresh,
the order rotates between rounds, and the table shows the median of the
rounds, so slow drift of the machine does not favour one proxy.

Prints a table and ratios eku/stunnel and eku/haproxy from the same run. Not a
test: numbers depend on the machine. Usage: bench/gateway/run.py
  [--eku build-gw/eku] [--seconds 5] [--bulk-mb 256] [--idle 1000] [--rounds 3]
  [--only hs,bulk1,bulk64,lat,idle] [--workers 1[,2...]] [--haproxy-threads 1]
"""
import argparse
import importlib.util
import os
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
_spec = importlib.util.spec_from_file_location(
    "gw30", ROOT / "tests" / "integration" / "30_gateway_mtls_test.py")
gw30 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gw30)
free_port = gw30.free_port

CHUNK = b"x" * (1 << 20)


class Upstream:
    """'ECHO...' echoes; 'BULK <mb>' sends an HTTP response of mb MiB."""

    def __init__(self):
        self.port = free_port()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(4096)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(c,), daemon=True).start()

    def _one(self, c):
        try:
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            data = c.recv(65536)
            if data.startswith(b"GET /bulk/"):
                mb = int(data.split(b"/")[2].split(b" ")[0])
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                          % (mb << 20))
                for _ in range(mb):
                    c.sendall(CHUNK)
            elif data.startswith(b"GET"):
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            else:
                while data:
                    c.sendall(data)
                    data = c.recv(65536)
        except OSError:
            pass
        finally:
            c.close()


def wait_port(port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


def start_eku(eku, pki, d, up, workers=1):
    port, admin = free_port(), free_port()
    cfg = d / f"eku-w{workers}.yaml"
    cfg.write_text(gw30.config_yaml(pki, admin, [gw30.route_yaml("bench", port, up, "enforce")],
                                    workers=workers)
                   .replace("idle_timeout: 30s", "idle_timeout: 600s")
                   + "")
    p = subprocess.Popen([eku, "gateway", "--log", "/dev/null", str(cfg)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p, port


def start_stunnel(pki, d, up):
    port = free_port()
    conf = d / "stunnel.conf"
    conf.write_text(f"foreground = yes\npid =\ndebug = 0\n[bench]\naccept = 127.0.0.1:{port}\n"
                    f"connect = 127.0.0.1:{up}\ncert = {pki}/gw-server.pem\n"
                    f"key = {pki}/gw-server.key\nCAfile = {pki}/ca.pem\n"
                    "verifyChain = yes\nrequireCert = yes\n")
    p = subprocess.Popen([shutil.which("stunnel4") or "stunnel", str(conf)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p, port


def start_haproxy(pki, d, up, threads):
    port = free_port()
    pem = d / "ha.pem"
    pem.write_text((pki / "gw-server.pem").read_text() + (pki / "gw-server.key").read_text())
    pem.chmod(0o600)
    conf = d / "haproxy.cfg"
    conf.write_text(f"global\n  nbthread {threads}\n  maxconn 5000\ndefaults\n  mode tcp\n"
                    "  timeout connect 5s\n  timeout client 600s\n  timeout server 600s\n"
                    f"listen bench\n  bind 127.0.0.1:{port} ssl crt {pem} verify required "
                    f"ca-file {pki}/ca.pem\n  server up 127.0.0.1:{up}\n")
    p = subprocess.Popen(["haproxy", "-f", str(conf)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    return p, port


def cpu_s(pid):
    """User+system CPU seconds of pid (all threads) and its children."""
    total = 0
    for p in [pid] + [int(c) for c in os.popen(f"pgrep -P {pid}").read().split()]:
        try:
            f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def handshakes(pki, port, seconds):
    # -www: one request and its reply per connection, so every proxy connects
    # upstream (haproxy skips the server connection for a client that closes
    # right after the handshake, which would not be a like-for-like count).
    r = subprocess.run(["openssl", "s_time", "-connect", f"127.0.0.1:{port}", "-new", "-www", "/",
                        "-time", str(seconds), "-cert", str(pki / "cli-dual.pem"),
                        "-key", str(pki / "cli-dual.key"), "-CAfile", str(pki / "ca.pem")],
                       capture_output=True, text=True, timeout=seconds + 30)
    for line in r.stdout.splitlines():
        if "connections in" in line and "real seconds" in line:
            n = int(line.split()[0])
            secs = float(line.split("connections in")[1].split()[0].rstrip("s"))
            return n / secs if secs else 0.0
        if "connections/user sec" in line and "real" not in line:
            pass
    # s_time prints "N connections in Ts; C connections/user sec"
    for line in r.stdout.splitlines():
        if "connections in" in line:
            parts = line.split()
            n, secs = int(parts[0]), float(parts[3].rstrip("s;"))
            return n / secs
    return 0.0


def curl_cmd(pki, port, path):
    return ["curl", "-s", "-o", "/dev/null", "--cacert", str(pki / "ca.pem"),
            "--cert", str(pki / "cli-dual.pem"), "--key", str(pki / "cli-dual.key"),
            "--resolve", f"gw.example:{port}:127.0.0.1", "-w", "%{size_download}\n",
            f"https://gw.example:{port}{path}"]


def bulk(pki, port, streams, mb_total):
    mb = max(1, mb_total // streams)
    t = time.time()
    procs = [subprocess.Popen(curl_cmd(pki, port, f"/bulk/{mb}"), stdout=subprocess.PIPE,
                              text=True) for _ in range(streams)]
    total = sum(int(p.communicate()[0].strip() or 0) for p in procs)
    return total / (1 << 20) / (time.time() - t)


def tls_ctx(pki):
    ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    ctx.load_cert_chain(str(pki / "cli-dual.pem"), str(pki / "cli-dual.key"))
    ctx.check_hostname = False
    return ctx


def rtts(sock, n=2000):
    msg = b"ECHO" + b"y" * 60
    out = []
    for _ in range(n):
        t = time.perf_counter()
        sock.sendall(msg)
        got = 0
        while got < len(msg):
            got += len(sock.recv(4096))
        out.append((time.perf_counter() - t) * 1e6)
    out.sort()
    return out[len(out) // 2], out[int(len(out) * 0.99)]


def latency(pki, port):
    s = tls_ctx(pki).wrap_socket(socket.create_connection(("127.0.0.1", port)))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    r = rtts(s)
    s.close()
    return r


def direct_latency(up):
    s = socket.create_connection(("127.0.0.1", up))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    r = rtts(s)
    s.close()
    return r


def rss_kib(pid):
    total = 0
    for p in [pid] + [int(c) for c in os.popen(f"pgrep -P {pid}").read().split()]:
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def idle_memory(pki, proc, port, n):
    ctx = tls_ctx(pki)
    time.sleep(0.3)
    before = rss_kib(proc.pid)
    socks = []
    for _ in range(n):
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
        s.sendall(b"ECHO")
        s.recv(8)
        socks.append(s)
    time.sleep(0.5)
    after = rss_kib(proc.pid)
    for s in socks:
        s.close()
    return (after - before) / n


def measure(name, start, pki, a, direct, only):
    proc, port = start()
    r = {}
    try:
        wait_port(port)
        time.sleep(0.3)
        # Wall-clock rates share two cores with the clients and the upstream;
        # the proxy's own CPU per unit of work is the steadier comparison.
        if "hs" in only:
            c0 = cpu_s(proc.pid)
            r["hs"] = handshakes(pki, port, a.seconds)
            r["hs_cpu"] = (cpu_s(proc.pid) - c0) * 1e6 / max(1.0, r["hs"] * a.seconds)
        if "bulk1" in only:
            r["bulk1"] = bulk(pki, port, 1, a.bulk_mb)
        if "bulk64" in only:
            c0 = cpu_s(proc.pid)
            r["bulk64"] = bulk(pki, port, 64, a.bulk_mb)
            r["bulk_cpu"] = (cpu_s(proc.pid) - c0) * 1e3 / a.bulk_mb
        if "lat" in only:
            p50, p99 = latency(pki, port)
            r["p50"], r["p99"] = p50 - direct[0], p99 - direct[1]
        if "idle" in only:
            r["idle"] = idle_memory(pki, proc, port, a.idle)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eku", default=str(ROOT / "build-gw" / "eku"))
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--bulk-mb", type=int, default=256)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="hs,bulk1,bulk64,lat,idle")
    ap.add_argument("--haproxy-threads", type=int, default=1,
                    help="haproxy nbthread")
    ap.add_argument("--workers", default="1",
                    help="eku gateway workers: N, or a list (1,2) measured side by side")
    a = ap.parse_args()
    only = set(a.only.split(","))
    import resource
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    d = Path(tempfile.mkdtemp(prefix="ekubench"))
    pki = gw30.make_pki(d / "pki")
    up = Upstream()
    direct = direct_latency(up.port)
    workers = [int(w) for w in a.workers.split(",")]
    ekus = [("eku" if len(workers) == 1 else f"eku-w{w}",
             (lambda w=w: start_eku(a.eku, pki, d, up.port, w))) for w in workers]
    starters = ekus + [
        ("stunnel", lambda: start_stunnel(pki, d, up.port)),
        ("haproxy", lambda: start_haproxy(pki, d, up.port, a.haproxy_threads)),
    ]
    rounds = {name: [] for name, _ in starters}
    for i in range(a.rounds):
        k = i % len(starters)
        order = starters[k:] + starters[:k]
        for name, start in order:
            rounds[name].append(measure(name, start, pki, a, direct, only))
    res = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
           for name, rs in rounds.items()}
    cols = [c for c in [("hs", "handshakes/s", True), ("bulk1", "MB/s x1", True),
                        ("bulk64", "MB/s x64", True), ("p50", "p50 added us", False),
                        ("p99", "p99 added us", False), ("idle", "KiB/idle conn", False),
                        ("hs_cpu", "CPU us/hs", False), ("bulk_cpu", "CPU ms/MB x64", False)]
            if c[0] in res[ekus[0][0]]]
    print(f"{'':10}" + "".join(f"{c[1]:>15}" for c in cols))
    for name, r in res.items():
        print(f"{name:10}" + "".join(f"{r[c[0]]:>15.1f}" for c in cols))
    for e, _ in ekus:
        for base in ("stunnel", "haproxy"):
            print(f"{e + '/' + base[:4]:10}" + "".join(
                f"{(res[e][c[0]] / res[base][c[0]] if res[base][c[0]] else 0):>14.2f}x"
                for c in cols))
    print(f"(median of {a.rounds} rounds, order rotated; direct echo RTT p50 {direct[0]:.0f} us, "
          f"p99 {direct[1]:.0f} us; haproxy nbthread {a.haproxy_threads}; higher is better for "
          "throughput columns, lower for latency and memory)")
    for name, rs in rounds.items():
        print(f"  {name} per round: " + "; ".join(
            " ".join(f"{k}={v:.0f}" for k, v in r.items()) for r in rs))


if __name__ == "__main__":
    main()
