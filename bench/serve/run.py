#!/usr/bin/env python3
"""Benchmark for `eku serve` (issue 13). Not a timed test: run by hand or in
CI as a report. In one run, with the same binary:

  * a files source of N certificate files (default 10,000): round duration,
    /metrics scrape time and size, peak RSS after the first round and after
    several more (bounded: it must not grow round over round), history size
    per observation (first round) and per unchanged round;
  * a targets source of N endpoints (default 10,000) on one local nginx
    (one listener, a distinct SNI per target so each is its own place):
    round duration and the same figures;
  * the ratios (targets vs files, RSS per place, scrape time per series).

Usage:
  bench/serve/run.py --eku build/eku [--files 10000] [--targets 10000] [--rounds 3]
"""
import argparse
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def sh(*args):
    subprocess.run(args, check=True, capture_output=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_pki(d: Path):
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
       str(d / "ca.key"), "-out", str(d / "ca.pem"), "-subj", "/CN=eku serve bench CA", "-days", "30")
    sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
       str(d / "srv.key"), "-out", str(d / "srv.csr"), "-subj", "/CN=bench.example")
    (d / "ext").write_text("extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:bench.example\n")
    sh("openssl", "x509", "-req", "-in", str(d / "srv.csr"), "-CA", str(d / "ca.pem"), "-CAkey", str(d / "ca.key"),
       "-CAcreateserial", "-days", "30", "-extfile", str(d / "ext"), "-out", str(d / "srv.pem"))


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.perf_counter()
    c.request("GET", path)
    body = c.getresponse().read()
    c.close()
    return time.perf_counter() - t0, body.decode()


def metric(text, name, source):
    for line in text.splitlines():
        if line.startswith(f'{name}{{source="{source}"}}'):
            return float(line.split()[-1])
    return None


def rss_kb(pid):
    st = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        st[k] = v.strip()
    return int(st["VmRSS"].split()[0]), int(st["VmHWM"].split()[0])


def db_bytes(data: Path):
    """Pages in use as the database reads now (WAL included), not file sizes."""
    r = subprocess.run(["sqlite3", str(data / "history.sqlite"),
                        "SELECT (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size)"
                        " - (SELECT freelist_count FROM pragma_freelist_count) * (SELECT page_size FROM pragma_page_size);"],
                       capture_output=True, text=True, check=True)
    return int(r.stdout.strip())


def run_source(eku, d: Path, name, body, rounds):
    port = free_port()
    conf = d / f"{name}.yaml"
    data = d / f"{name}-data"
    conf.write_text(f"listen: 127.0.0.1:{port}\nsystem_bundle: ''\ndata_dir: {data}\n"
                    f"sources:\n  - name: {name}\n    interval: 1s\n{body}")
    log = open(d / f"{name}.log", "w")
    p = subprocess.Popen([eku, "serve", str(conf)], stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                get(port, "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        res = {}
        done = 0
        while done < rounds:
            _, text = get(port, "/metrics")
            n = metric(text, "eku_source_rounds_total", name) or 0
            if n > done:
                done = int(n)
                if done == 1:
                    res["rss_first_kb"] = rss_kb(p.pid)[1]
                    res["db_first"] = db_bytes(data)
            time.sleep(0.2)
        res["duration_s"] = metric(text, "eku_source_duration_seconds", name)
        res["failed"] = metric(text, "eku_source_failed_inputs", name)
        t, text = get(port, "/metrics")
        res["scrape_s"] = t
        res["scrape_bytes"] = len(text)
        res["series"] = sum(1 for l in text.splitlines() if l and not l.startswith("#"))
        res["rss_last_kb"], res["hwm_kb"] = rss_kb(p.pid)
        res["rounds"] = done
        res["db_last"] = db_bytes(data)
        return res
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(30)
        log.close()


def nginx(d: Path):
    port = free_port()
    conf = d / "nginx.conf"
    conf.write_text(f"""worker_processes 2;
pid {d}/nginx.pid;
error_log {d}/nginx.err;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d}; uwsgi_temp_path {d}; scgi_temp_path {d};
  server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {d}/srv.pem; ssl_certificate_key {d}/srv.key;
           location / {{ return 200; }} }}
}}
""")
    p = subprocess.Popen(["nginx", "-p", str(d), "-c", str(conf), "-g", "daemon off;"])
    time.sleep(0.5)
    return p, port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eku", default="build/eku")
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--targets", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    eku = str(Path(a.eku).resolve())
    d = Path(tempfile.mkdtemp(prefix="eku-serve-bench-"))
    out = {}
    try:
        make_pki(d)
        if a.files:
            certs = d / "certs"
            certs.mkdir()
            pem = (d / "srv.pem").read_text()
            for i in range(a.files):
                (certs / f"c{i:05d}.pem").write_text(pem)
            out["files"] = run_source(eku, d, "files", f"    files: [{certs}]\n", a.rounds)
        if a.targets and shutil.which("nginx") or Path("/usr/sbin/nginx").exists() and a.targets:
            ng, port = nginx(d)
            try:
                lines = "".join(f"      - '127.0.0.1:{port},sni=n{i}.bench.example'\n" for i in range(a.targets))
                out["targets"] = run_source(eku, d, "targets", f"    timeout: 10s\n    targets:\n{lines}", a.rounds)
            finally:
                ng.terminate()
                ng.wait(10)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    for kind, n in (("files", a.files), ("targets", a.targets)):
        r = out.get(kind)
        if not r:
            continue
        obs = n - (r["failed"] or 0)
        print(f"{kind}: {n} places, {r['rounds']} rounds")
        print(f"  round: {r['duration_s']:.2f} s ({n / r['duration_s']:.0f} places/s), failed inputs {r['failed']:.0f}")
        print(f"  /metrics: {r['scrape_s'] * 1000:.0f} ms, {r['series']} series, {r['scrape_bytes'] / 1e6:.1f} MB")
        print(f"  RSS: peak {r['hwm_kb'] / 1024:.0f} MiB; after round 1 {r['rss_first_kb'] / 1024:.0f} MiB, "
              f"after round {r['rounds']} {r['rss_last_kb'] / 1024:.0f} MiB "
              f"({r['hwm_kb'] * 1024 / max(n, 1):.0f} bytes/place at peak)")
        print(f"  history: {r['db_first'] / max(obs, 1):.0f} bytes/observation (first round); "
              f"{(r['db_last'] - r['db_first']) / max(r['rounds'] - 1, 1) / 1024:.0f} KiB per unchanged round")
    if "files" in out and "targets" in out:
        print(f"ratio targets/files round time: {out['targets']['duration_s'] / out['files']['duration_s']:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
