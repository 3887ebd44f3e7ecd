#!/usr/bin/python3
"""Robustness runs for eku gateway (issue 5, "held under load"); not a test.

  idle     N concurrent idle mTLS connections (default 10000) held open through
           the gateway; reports gateway RSS per idle connection and checks a
           sample still echoes at the end.
  reload   a load of new mTLS connections (each one echo round trip) while the
           config is changed and SIGHUP'd every second; any failed connection
           counts (target: zero).
  updown   the upstream goes away and comes back: how fast clients are refused
           (fail fast, backoff) and how soon after the upstream returns
           connections succeed again.

Usage: bench/gateway/robust.py [--eku build-gw/eku] [--idle 10000]
       [--seconds 20] [--only idle,reload,updown]
RLIMIT_NOFILE is raised to the hard limit for this script and the gateway.
"""
import argparse
import asyncio
import importlib.util
import os
import resource
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
_spec = importlib.util.spec_from_file_location(
    "gw30", ROOT / "tests" / "integration" / "30_gateway_mtls_test.py")
gw30 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gw30)


def upstream_main(port):
    """Echo server in its own process (asyncio: one thread for 10k sockets)."""
    async def one(r, w):
        try:
            while data := await r.read(65536):
                w.write(data)
                await w.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            w.close()

    async def main():
        srv = await asyncio.start_server(one, "127.0.0.1", port, backlog=4096,
                                         reuse_address=True)
        async with srv:
            await srv.serve_forever()
    asyncio.run(main())


def start_upstream(port):
    return subprocess.Popen([sys.executable, __file__, "--upstream", str(port)])


def wait_port(port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


class Gateway:
    def __init__(self, eku, pki, d, up_port, extra_limits=""):
        self.port, self.admin = gw30.free_port(), gw30.free_port()
        self.cfg = d / "robust.yaml"
        self.pki, self.up_port, self.extra = pki, up_port, extra_limits
        self.write(0)
        self.log = d / "robust.log"
        self.p = subprocess.Popen([eku, "gateway", "--log", str(self.log), str(self.cfg)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def write(self, gen):
        y = gw30.config_yaml(self.pki, self.admin,
                             [gw30.route_yaml("robust", self.port, self.up_port, "enforce")])
        # A real change on every reload: the handshake timeout moves by 1 ms.
        y = y.replace("handshake_timeout: 5s", f"handshake_timeout: {5000 + gen % 7}ms")
        y = y.replace("idle_timeout: 30s", "idle_timeout: 600s\n  max_connections: 20000\n"
                      "  upstream_backoff_max: 2s" + self.extra)
        self.cfg.write_text(y)

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin}/metrics", timeout=5) as r:
            return r.read().decode()

    def rss_kib(self):
        for line in open(f"/proc/{self.p.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.p.kill()


def tls_ctx(pki):
    ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    ctx.load_cert_chain(str(pki / "cli-dual.pem"), str(pki / "cli-dual.key"))
    ctx.check_hostname = False
    return ctx


def echo_once(ctx, port, timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with ctx.wrap_socket(raw) as s:
            s.sendall(b"ping")
            got = b""
            while len(got) < 4:
                chunk = s.recv(16)
                if not chunk:
                    raise ConnectionError("closed before the echo")
                got += chunk
            return got == b"ping"


def metric_lines(text, name):
    return [l for l in text.splitlines() if l.startswith(name)]


def run_idle(a, pki, d):
    up = gw30.free_port()
    upp = start_upstream(up)
    wait_port(up)
    g = Gateway(a.eku, pki, d, up)
    ctx = tls_ctx(pki)
    socks, failed = [], 0
    time.sleep(0.5)
    before = g.rss_kib()
    t = time.time()
    for i in range(a.idle):
        try:
            s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", g.port), timeout=10))
            s.sendall(b"hi")
            s.recv(8)
            socks.append(s)
        except OSError as e:
            failed += 1
            if failed < 5:
                print(f"  idle: connection {i} failed: {e}")
    opened = time.time() - t
    time.sleep(1.0)
    after = g.rss_kib()
    alive = 0
    for s in socks[:: max(1, len(socks) // 100)]:
        try:
            s.sendall(b"ok")
            alive += s.recv(8) == b"ok"
        except OSError:
            pass
    active = metric_lines(g.metrics(), "eku_gateway_active_connections")
    print(f"idle: {len(socks)} of {a.idle} held ({failed} failed) in {opened:.1f}s; gateway RSS "
          f"{before} -> {after} KiB = {(after - before) / max(1, len(socks)):.1f} KiB per idle "
          f"connection; sample of {len(socks[:: max(1, len(socks) // 100)])} still echoing: "
          f"{alive}; {active}")
    for s in socks:
        s.close()
    g.stop()
    upp.terminate()


def run_reload(a, pki, d):
    up = gw30.free_port()
    upp = start_upstream(up)
    wait_port(up)
    g = Gateway(a.eku, pki, d, up)
    ctx = tls_ctx(pki)
    stop = time.time() + a.seconds
    counts = {"ok": 0, "fail": 0}
    errors = []
    lock = threading.Lock()

    def client():
        while time.time() < stop:
            try:
                ok = echo_once(ctx, g.port)
            except OSError as e:
                ok = False
                with lock:
                    errors.append(repr(e))
            with lock:
                counts["ok" if ok else "fail"] += 1

    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    for t in threads:
        t.start()
    reloads = 0
    while time.time() < stop:
        time.sleep(1.0)
        reloads += 1
        g.write(reloads)
        g.p.send_signal(signal.SIGHUP)
    for t in threads:
        t.join()
    m = g.metrics()
    print(f"reload: {reloads} reloads (SIGHUP, config changed each time) during {a.seconds}s of "
          f"{a.clients} clients: {counts['ok']} connections ok, {counts['fail']} failed "
          f"{errors[:3]}; gateway: {metric_lines(m, 'eku_gateway_reloads_total')} "
          f"{[l for l in metric_lines(m, 'eku_gateway_connections_total') if 'ok' not in l]}")
    g.stop()
    upp.terminate()


def run_updown(a, pki, d):
    up = gw30.free_port()
    upp = start_upstream(up)
    wait_port(up)
    g = Gateway(a.eku, pki, d, up)
    ctx = tls_ctx(pki)

    def attempt():
        t = time.perf_counter()
        try:
            ok = echo_once(ctx, g.port)
        except OSError:
            ok = False
        return ok, (time.perf_counter() - t) * 1e3

    before = [attempt() for _ in range(20)]
    upp.terminate()
    upp.wait()
    down = [attempt() for _ in range(50)]
    upp = start_upstream(up)
    wait_port(up)
    back_at = time.time()
    first_ok = None
    while time.time() - back_at < 10:
        ok, _ = attempt()
        if ok:
            first_ok = time.time() - back_at
            break
        time.sleep(0.02)
    after = [attempt() for _ in range(20)]
    ms = sorted(x[1] for x in down)
    print(f"updown: up {sum(o for o, _ in before)}/20 ok; upstream down: "
          f"{sum(not o for o, _ in down)}/50 refused, median {ms[len(ms) // 2]:.1f} ms, max "
          f"{ms[-1]:.1f} ms per refused attempt; upstream back: first success after "
          f"{first_ok if first_ok is None else round(first_ok, 2)} s (backoff max 2s), then "
          f"{sum(o for o, _ in after)}/20 ok; "
          f"{metric_lines(g.metrics(), 'eku_gateway_upstream_failures_total')}")
    g.stop()
    upp.terminate()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--eku", default=str(ROOT / "build-gw" / "eku"))
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--only", default="idle,reload,updown")
    a = ap.parse_args()
    # 10,000 idle connections cost the gateway two descriptors each.
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (65536, 65536))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if a.upstream:
        upstream_main(a.upstream)
        return
    d = Path(tempfile.mkdtemp(prefix="ekurobust"))
    pki = gw30.make_pki(d / "pki")
    for name in a.only.split(","):
        {"idle": run_idle, "reload": run_reload, "updown": run_updown}[name](a, pki, d)


if __name__ == "__main__":
    main()
