#!/usr/bin/env python3
"""Benchmark for `eku plan` (issue 8): CPU time, peak memory and output size
must grow linearly with the inventory.

Generates inventories of N nodes (and about as many links): independent
Expressway sites, each two clustered Expressway-C, two clustered
Expressway-E, a Unified CM and a partner SBC, linked by uc-traversal, mra-sip,
ssh-tunnel, webrtc, sip-neighbor and b2b-sip (plus the clusterdb links the
clusters imply). Certificates: a handful of lab leaves made with openssl
(tests/plan/certlib.sh) under lab roots declared in public_roots, copied to
N/20 distinct files that many nodes share.

For each N runs `eku plan --format json` and the text format (--rounds times,
median) and prints CPU seconds (user+sys), peak RSS and output bytes. The
named baseline is `eku plan` (text) on the smallest inventory, measured in the
same run; every row gives its ratio to it, and the last lines the ratios
between the two sizes (linear: ~10 for 1k -> 10k). --old BIN times another
binary (e.g. a build from before the change) once per size and format in the
same run; it can take minutes at 10k.

Usage:

  bench/plan/run.py [--eku build/eku] [--sizes 1000,10000] [--rounds 3] [--old BIN] [--keep DIR]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CERTLIB = ROOT / "tests" / "plan" / "certlib.sh"

# name, CN, EKU, not before, not after, CA  (dates as in tests/plan/make-certs.sh)
LEAVES = [
    ("le-server-only", "e.example", "serverAuth", "20261015000000Z", "20270112235959Z", "le-root"),
    ("dc-dual", "c.example", "serverAuth,clientAuth", "20260801000000Z", "20270215235959Z", "dc-root"),
    ("dc-dual-long", "c.example", "serverAuth,clientAuth", "20260601000000Z", "20270617235959Z", "dc-root"),
    ("corp-dual", "i.example", "serverAuth,clientAuth", "20250101000000Z", "20280229235959Z", "corp-root"),
]
# which leaves each role may present
ROLE_LEAVES = {
    "expc": ["dc-dual", "dc-dual-long"],
    "expe": ["le-server-only", "dc-dual-long"],
    "cucm": ["corp-dual"],
    "sbc": ["dc-dual", "corp-dual"],
}
SITE_NODES = 6


def make_certs(d: Path):
    script = [f". '{CERTLIB}'",
              "root le-root 'Fake ISRG Root (bench)'",
              "root dc-root 'Fake DigiCert Root (bench)'",
              "root corp-root 'Corp Root (bench)'"]
    script += [f"leaf {n} {cn} {eku} {nb} {na} {ca}" for n, cn, eku, nb, na, ca in LEAVES]
    subprocess.run(["sh", "-ec", "\n".join(script)], cwd=d, check=True)


def generate(d: Path, n_nodes: int) -> dict:
    """Writes d/inventory.yaml with about n_nodes nodes; returns counts."""
    sites = max(1, n_nodes // SITE_NODES)
    n_files = max(len(LEAVES), n_nodes // 20)
    (d / "certs").mkdir(exist_ok=True)
    files = {}  # leaf -> list of file names
    for i in range(n_files):
        leaf = LEAVES[i % len(LEAVES)][0]
        name = f"certs/f{i:05d}-{leaf}.pem"
        shutil.copyfile(d / "lab" / f"{leaf}.pem", d / name)
        files.setdefault(leaf, []).append(name)

    def cert(role, k):
        cands = [f for leaf in ROLE_LEAVES[role] for f in files[leaf]]
        return cands[k % len(cands)]

    out = ["deployment: eku plan bench", "at: 2026-11-27", "public_roots:",
           "  - { file: lab/le-root.pem, ca_vendor: letsencrypt }",
           "  - { file: lab/dc-root.pem, ca_vendor: digicert }",
           "private_roots:", "  - lab/corp-root.pem", "nodes:"]
    links = []
    for s in range(sites):
        ver = "X15.4.1" if s % 3 == 1 else "X15.3.2"
        # every 7th site runs E one version ahead of C: VERSION_MISMATCH
        ver_e = "X15.4.1" if s % 7 == 3 else ver
        c1, c2, e1, e2, cu, sbc = (f"expc{s}a", f"expc{s}b", f"expe{s}a", f"expe{s}b", f"cucm{s}", f"sbc{s}")
        for name, prod, v, peer, role in ((c1, "expressway-c", ver, c2, "expc"), (c2, "expressway-c", ver, c1, "expc"),
                                          (e1, "expressway-e", ver_e, e2, "expe"),
                                          (e2, "expressway-e", ver_e, e1, "expe")):
            out.append(f"  - {{ name: {name}, product: {prod}, version: {v}, cluster: [{peer}], "
                       f"certificates: {{ server: {cert(role, s * 2 + (name[-1] == 'b'))} }}, "
                       f"settings: {{ cluster_tls_verify: enforcing }} }}")
        out.append(f"  - {{ name: {cu}, product: cucm, certificates: {{ server: {cert('cucm', s)} }} }}")
        out.append(f"  - {{ name: {sbc}, product: generic-openssl, certificates: {{ server: {cert('sbc', s)} }} }}")
        links += [("uc-traversal", c1, e1), ("uc-traversal", c2, e2), ("mra-sip", c1, e1),
                  ("ssh-tunnel", c1, e1), ("webrtc", c2, e2), ("sip-neighbor", c1, cu),
                  ("b2b-sip", sbc, e1)]
    out.append("links:")
    out += [f"  - {{ kind: {k}, client: {c}, server: {sv} }}" for k, c, sv in links]
    (d / "inventory.yaml").write_text("\n".join(out) + "\n")
    # 4 implied clusterdb links per site
    return {"nodes": sites * SITE_NODES, "links": len(links) + 4 * sites, "files": n_files}


def run_once(binary, args, out_path: Path):
    """CPU seconds (user+sys), peak RSS in KiB and output bytes of one run."""
    with open(out_path, "wb") as out:
        proc = subprocess.Popen([binary, "plan", *args], stdout=out, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"{binary} plan {' '.join(args)}: exit status {proc.returncode}")
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss, out_path.stat().st_size


def measure(binary, args, work: Path, rounds):
    runs = [run_once(binary, args, work / "out") for _ in range(rounds)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), runs[0][2]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eku", default=os.environ.get("EKU_BIN", str(ROOT / "build" / "eku")))
    ap.add_argument("--sizes", default="1000,10000", help="inventory sizes in nodes, smallest first")
    ap.add_argument("--rounds", type=int, default=3, help="runs per size and format; the median CPU time is used")
    ap.add_argument("--old", help="another eku binary to time once per size and format (before/after)")
    ap.add_argument("--keep", help="write the inventories here instead of a temporary folder")
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="eku-plan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        lab = work / "lab"
        lab.mkdir(exist_ok=True)
        make_certs(lab)
        rows = {}
        for n in sizes:
            d = work / f"n{n}"
            d.mkdir(exist_ok=True)
            (d / "lab").exists() or (d / "lab").symlink_to(lab)
            counts = generate(d, n)
            inv = str(d / "inventory.yaml")
            for fmt, args in (("text", ["--fail-on", "never", inv]), ("json", ["--format", "json", inv])):
                rows[(n, fmt, "eku")] = measure(a.eku, args, work, a.rounds)
                if a.old:
                    rows[(n, fmt, "old")] = measure(a.old, args, work, 1)
            print(f"N={n}: {counts['nodes']} nodes, {counts['links']} links, {counts['files']} certificate files",
                  flush=True)
        base = rows[(sizes[0], "text", "eku")]
        print(f"\nbaseline: eku plan (text) on the {sizes[0]}-node inventory: {base[0]:.2f} CPU s, "
              f"{base[1] / 1024:.1f} MiB peak RSS, {base[2]} bytes")
        print(f"{'binary':6} {'N':>6} {'format':6} {'CPU s':>8} {'RSS MiB':>8} {'out bytes':>12}   "
              f"{'x CPU':>6} {'x RSS':>6} {'x bytes':>7}  (ratios to the baseline)")
        for (n, fmt, who), (cpu, rss, size) in rows.items():
            print(f"{who:6} {n:6d} {fmt:6} {cpu:8.2f} {rss / 1024:8.1f} {size:12d}   "
                  f"{cpu / base[0]:6.1f} {rss / base[1]:6.1f} {size / base[2]:7.1f}")
        if len(sizes) > 1:
            lo, hi = sizes[0], sizes[-1]
            ideal = hi / lo
            print(f"\nratios {hi}/{lo} (linear: {ideal:.0f}; acceptable up to {ideal * 1.5:.0f})")
            for who in ("eku", "old") if a.old else ("eku",):
                for fmt in ("text", "json"):
                    x, y = rows[(lo, fmt, who)], rows[(hi, fmt, who)]
                    print(f"  {who:4} {fmt:5} CPU {y[0] / max(x[0], 1e-3):6.1f}   RSS {y[1] / x[1]:6.1f}   "
                          f"bytes {y[2] / x[2]:6.1f}")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
