#!/usr/bin/env python3
"""Benchmark for `eku scan` (issue 4). Not a timed test: run by hand or in CI
as a report.

One haproxy process serves N local TLS endpoints (one listener each, `verify
optional` with a CA list, so every endpoint sends a CertificateRequest). In the
same run we measure:

  * eku scan with client-certificate detection (the default),
  * eku scan --no-client-auth (handshake, chain, facts only),
  * a sequential `openssl s_client` loop on a sample (what operators script
    today), extrapolated to endpoints/s,
  * `sslscan --show-client-cas` on a smaller sample, if installed,
  * peak RSS of eku at 1,000 concurrent targets vs. 1 target in flight,

and print the ratios. eku runs with its default worker threads (one event loop
per online CPU, at most 8) unless --threads is given; --baseline times another
binary (e.g. `--baseline build-st/eku` before a change) in the same run, and
--threads 1 gives the single-loop figure. haproxy shares the machine's CPUs
with eku, so on 2 cores two threads buy ~10-20%, not 2x. Each eku run lasts a
fraction of a second: compare medians of several runs (--rounds), ideally on a
quiet machine.

Usage:

  bench/scan/bench.py --eku build-scan/eku [--endpoints 500] [--sample 40] [--threads N]
"""
import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def make_pki(d: Path):
    os.umask(0o077)
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"), "-subj", "/CN=eku bench CA", "-days", "30")
    sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", str(d / "srv.key"), "-out", str(d / "srv.csr"), "-subj", "/CN=bench.example")
    (d / "ext").write_text("extendedKeyUsage=serverAuth\nsubjectAltName=DNS:bench.example\n")
    sh("openssl", "x509", "-req", "-in", str(d / "srv.csr"), "-CA", str(d / "ca.pem"), "-CAkey", str(d / "ca.key"),
       "-CAcreateserial", "-days", "30", "-extfile", str(d / "ext"), "-out", str(d / "srv.pem"))
    (d / "combined.pem").write_text((d / "srv.pem").read_text() + (d / "srv.key").read_text())


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def start_haproxy(d: Path, ports):
    binds = "\n".join(f"    bind 127.0.0.1:{p} ssl crt {d}/combined.pem ca-file {d}/ca.pem verify optional"
                      for p in ports)
    (d / "haproxy.cfg").write_text(f"""
global
    maxconn 4000
defaults
    mode http
    timeout connect 5s
    timeout client 10s
    timeout server 10s
frontend fe
{binds}
    http-request return status 200 content-type text/plain string ok
""")
    proc = subprocess.Popen(["haproxy", "-f", str(d / "haproxy.cfg"), "-db"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    end = time.time() + 20
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", ports[-1]), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("haproxy did not start")


def timed(cmd):
    """Runs cmd; returns (seconds, stdout, peak RSS of this child in KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return dt, r, max(after, before) if after > before else after


def rss_of(cmd):
    """Peak RSS (KiB) of one command, via a fresh python so RUSAGE_CHILDREN is clean."""
    code = ("import resource,subprocess,sys;subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,"
            "stderr=subprocess.DEVNULL);print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    return int(subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True).stdout)


THREADS = []  # ["--threads", N] when given


def eku_scan(eku, targets, extra, conc, threads=True):
    cmd = [eku, "scan", "--no-system", "--format", "jsonl", "--no-progress", "--concurrency", str(conc),
           "--targets", str(targets), *(THREADS if threads else []), *extra]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    rows = [json.loads(l) for l in r.stdout.splitlines()]
    ok = sum(1 for x in rows if x["error"] is None)
    return dt, len(rows), ok, rows


def s_client_loop(ports, ca_names=True):
    t0 = time.perf_counter()
    seen = 0
    for p in ports:
        r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{p}", "-servername", "bench.example"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
        if "Acceptable client certificate CA names" in r.stdout:
            seen += 1
    return time.perf_counter() - t0, seen


def sslscan_loop(ports):
    exe = shutil.which("sslscan")
    if exe is None:
        return None
    t0 = time.perf_counter()
    for p in ports:
        subprocess.run([exe, "--show-client-cas", "--no-colour", f"127.0.0.1:{p}"], capture_output=True, timeout=120)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eku", default="build-scan/eku")
    ap.add_argument("--endpoints", type=int, default=500)
    ap.add_argument("--sample", type=int, default=40, help="endpoints for the s_client loop")
    ap.add_argument("--sslscan-sample", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=256)
    ap.add_argument("--baseline", help="another eku binary (e.g. before a change), timed in the same run")
    ap.add_argument("--threads", type=int, help="eku worker threads (default: eku's own, one per CPU)")
    ap.add_argument("--rounds", type=int, default=3, help="eku timings per mode; the median is used")
    a = ap.parse_args()
    if a.threads:
        THREADS.extend(["--threads", str(a.threads)])
    need = a.endpoints + 200
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))

    with tempfile.TemporaryDirectory(prefix="eku-bench-") as tmp:
        d = Path(tmp)
        make_pki(d)
        ports = free_ports(a.endpoints)
        hap = start_haproxy(d, ports)
        try:
            targets = d / "targets.txt"
            targets.write_text("".join(f"127.0.0.1:{p},sni=bench.example\n" for p in ports))
            # warm-up (page cache, haproxy session setup)
            eku_scan(a.eku, targets, ["--no-client-auth"], a.concurrency)

            def median(binary, extra, threads=True):
                runs = sorted((eku_scan(binary, targets, extra, a.concurrency, threads) for _ in range(a.rounds)),
                              key=lambda r: r[0])
                return runs[len(runs) // 2]

            t_det, n_det, ok_det, rows = median(a.eku, [])
            t_hs, n_hs, ok_hs, _ = median(a.eku, ["--no-client-auth"])
            # the baseline runs with its own defaults (it may predate --threads)
            t_base = median(a.baseline, [], threads=False)[0] if a.baseline else None
            req = sum(1 for x in rows if x["client_auth"] == "optional")
            t_sc, seen = s_client_loop(ports[: a.sample])
            t_ss = sslscan_loop(ports[: a.sslscan_sample])

            # memory: 1,000 targets all in flight vs. one at a time
            big = d / "targets-1000.txt"
            big.write_text("".join(f"127.0.0.1:{ports[i % len(ports)]},sni=bench.example\n" for i in range(1000)))
            base = [a.eku, "scan", "--no-system", "--format", "jsonl", "--no-progress", "--targets", str(big),
                    *THREADS]
            rss_1000 = rss_of(base + ["--concurrency", "1000"])
            rss_1 = rss_of(base + ["--concurrency", "1"])
        finally:
            hap.terminate()
            hap.wait()

    eps_det = n_det / t_det
    eps_hs = n_hs / t_hs
    eps_sc = a.sample / t_sc
    print(f"endpoints: {a.endpoints} (one haproxy, verify optional + CA list), concurrency {a.concurrency}, "
          f"{os.cpu_count()} CPUs, eku threads {a.threads or 'default'}")
    print(f"eku scan (client-auth detection): {eps_det:8.1f} endpoints/s  ({ok_det}/{n_det} ok, "
          f"{req} reported optional, {t_det:.2f}s)")
    print(f"eku scan --no-client-auth:        {eps_hs:8.1f} endpoints/s  ({ok_hs}/{n_hs} ok, {t_hs:.2f}s)")
    print(f"openssl s_client loop (sample {a.sample}): {eps_sc:8.1f} endpoints/s  "
          f"({seen}/{a.sample} showed CA names)")
    if t_ss is not None:
        eps_ss = a.sslscan_sample / t_ss
        print(f"sslscan --show-client-cas (sample {a.sslscan_sample}): {eps_ss:8.2f} endpoints/s")
    print(f"ratio detection / s_client loop:    {eps_det / eps_sc:6.1f}x  (target >= 50x)")
    print(f"ratio no-detection / s_client loop: {eps_hs / eps_sc:6.1f}x")
    if t_base is not None:
        print(f"baseline {a.baseline} (detection): {n_det / t_base:8.1f} endpoints/s -> "
              f"{n_det / t_base / eps_sc:6.1f}x the s_client loop (this binary: {eps_det / eps_sc:.1f}x)")
    if t_ss is not None:
        print(f"ratio detection / sslscan:          {eps_det / eps_ss:6.1f}x")
    print(f"peak RSS: {rss_1000 / 1024:.1f} MiB with 1,000 targets in flight, {rss_1 / 1024:.1f} MiB with 1 "
          f"-> {(rss_1000 - rss_1) / 1024:.1f} MiB per 1,000 concurrent targets")


if __name__ == "__main__":
    main()
