#!/usr/bin/env python3
"""Benchmark for `eku inspect` / `eku census` (issue 10): throughput, CPU and
peak memory on corpora of distinct leaves, against baselines measured in the
same run on the same bytes.

Corpora (see corpus.py; cached under --cache, default /var/tmp/eku-bench):
  gen      N distinct leaves from 4 private hierarchies, PEM files of 10,000
           certificates; roots.pem given with --trust, chain.pem (the issuing
           CAs) with --untrusted, --no-system
  gen-dir  the same leaves, one file per certificate (N <= 100k): the cost of
           a directory walk
  gen-ct   the same leaves as CT get-entries pages of 1,000 entries, each
           with its issuer's chain (N <= 100k): eku census only, no baseline
           reads CT pages
  testdata every certificate under ../shared/testdata (normalised to PEM)
  system   the system bundle's certificates
Baselines (each timed from inside its own process, start-up excluded):
  pyca     pyca/cryptography loop: load_pem_x509_certificates per file, read
           subject, issuer, serial, validity, EKU, SAN, key type
  d2i      C loop: PEM decode + d2i_X509 + X509_get_ext_d2i(EKU)
  memscan  C: files read into memory, then one byte-sum pass (the floor;
           its rate is the scan alone)
eku runs (stdout to /dev/null; wall clock around the process, CPU and max
RSS from wait4): inspect --format jsonl, csv (every N), text and json
(N <= 10k), jsonl with the system bundle loaded too, --jobs 1 / --jobs 2 and
--signatures skip when `eku inspect --help` offers them, `eku census` when
the binary has it. Start-up: one certificate, median of 20, with the
embedded store only (--no-system) and with the system bundle.

Every tool runs once per round; rounds are interleaved (round 1: every
corpus and tool, round 2: ...), figures are medians (min-max). "per-core" is
certificates per CPU second (user+sys): on this shared 2-core machine it is
the steadier figure, and ratios against baselines use it. A run that exceeds
--timeout is reported as TIMEOUT; the other inspect runs at that N and
above are then SKIPPED (reported as such, never dropped).

Usage:
  bench/inspect/run.py                    # N = 1k,10k,100k, 3 rounds
  bench/inspect/run.py --quick            # N <= 10k, 1 round (smoke)
  bench/inspect/run.py --max-n 1000000    # adds 1M (generation ~16 min on 2 cores, cached)
  bench/inspect/run.py --sizes 1000,2000 --rounds 1 --json out.json
  EKU_BIN=/path/to/eku bench/inspect/run.py ...
"""
import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402

SIZES = [1000, 10000, 100000, 1000000]
SMALL = 10000  # text/json formats only up to here (they hold every certificate)
TARGETS = {"inspect_per_core": 200000, "inspect_x_pyca": 8, "inspect_x_d2i": 30,
           "census_per_core": 1000000, "census_x_pyca": 40, "census_vs_memscan": 10,
           "startup_ms": 10, "rss_growth": 1.5, "per_cert_growth": 1.5}


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes

RUNNER = None  # path of the built runner.c (see build_baselines)
BASELINE_TIMEOUT = 3600  # baselines are not under test: --timeout applies to eku runs
CURRENT = []  # the measured process group, killed if the bench itself is interrupted


def interrupted(signum, frame):
    for pid in CURRENT:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    sys.exit(f"interrupted (signal {signum})")


def timed(argv, stdin_text=None, timeout=600):
    """Run argv under runner.c (wall clock, CPU and max RSS of the command
    itself, from wait4), stdout captured (baselines print their own timing)
    or discarded. Past timeout the whole process group is killed."""
    out = tempfile.TemporaryFile()
    res = tempfile.NamedTemporaryFile(prefix="eku-bench-run-", delete=False)
    res.close()
    proc = subprocess.Popen([RUNNER, res.name, *argv],
                            stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
                            stdout=out, stderr=subprocess.PIPE, start_new_session=True)
    CURRENT[:] = [proc.pid]
    killed = []

    def kill():
        killed.append(True)
        os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    try:
        if stdin_text is not None:
            proc.stdin.write(stdin_text.encode())
            proc.stdin.close()
        err = proc.stderr.read()
        proc.wait()
    finally:
        timer.cancel()
    r = {"timeout": bool(killed), "rc": None, "stderr": err.decode(errors="replace")[-400:]}
    text = Path(res.name).read_text()
    os.unlink(res.name)
    if not killed:
        if not text:
            raise RuntimeError(f"runner gave no result for {argv[:3]}: {r['stderr']}")
        r.update(json.loads(text))
    out.seek(0)
    r["stdout"] = out.read().decode(errors="replace")
    return r


def build_baselines(tmp: Path):
    global RUNNER
    bins = {}
    for name, flags in (("d2i_loop", ["-O2"]), ("memscan", ["-O3"]), ("runner", ["-O2"])):
        exe = tmp / name
        subprocess.run(["cc", *flags, "-Wall", "-Wextra", "-Werror", "-I", str(HERE), "-o", str(exe),
                        str(HERE / f"{name}.c"), "-lcrypto"], check=True)
        bins[name] = str(exe)
    RUNNER = bins["runner"]
    return bins


def features(eku):
    ih = subprocess.run([eku, "inspect", "--help"], capture_output=True, text=True).stdout
    ch = subprocess.run([eku, "census", "--help"], capture_output=True, text=True)
    return {"jobs": "--jobs" in ih, "signatures": "--signatures" in ih,
            "census": ch.returncode == 0 and "census" in ch.stdout, "census_help": ch.stdout}


# ---------------------------------------------------------------- tools

class Corpus:
    def __init__(self, label, kind, n, inputs, files, trust=None, chain=None, note=""):
        self.label, self.kind, self.n, self.inputs, self.files = label, kind, n, inputs, files
        self.trust, self.chain, self.note = trust, chain, note


def baseline_tools(bins):
    def run(argv):
        return lambda c, timeout: baseline(argv, c, BASELINE_TIMEOUT)
    return [("memscan", run([bins["memscan"], "-"])), ("d2i", run([bins["d2i_loop"], "-"])),
            ("pyca", run([sys.executable, str(HERE / "pyca_loop.py"), "-"]))]


def baseline(argv, c, timeout):
    r = timed(argv, "\n".join(c.files) + "\n", timeout)
    if r["timeout"] or r["rc"] != 0:
        return r
    inner = json.loads(r["stdout"].strip().splitlines()[-1])
    r.update(outer_wall=r["wall"], outer_cpu=r["cpu"], wall=inner["wall"], cpu=inner["cpu"],
             certs=inner["certs"], errors=inner.get("errors", 0))
    return r


def eku_tools(eku, feat, c):
    trust = ["--no-system"]
    if c.trust:
        trust += ["--trust", str(c.trust), "--untrusted", str(c.chain)]
    common = ["--max-size", str(1 << 30), "-q"]

    def inspect(fmt, extra=(), sys_bundle=False):
        t = [a for a in trust if not (sys_bundle and a == "--no-system")]
        argv = [eku, "inspect", "--format", fmt, *common, *t, *extra, *c.inputs]
        return lambda c, timeout: timed(argv, None, timeout)

    if c.kind == "gen-ct":  # eku census alone reads CT pages
        return census_tool(eku, feat, c, trust)
    tools = [("inspect-jsonl", inspect("jsonl"))]
    if c.kind == "gen-dir":
        return tools + census_tool(eku, feat, c, trust)
    tools.append(("inspect-csv", inspect("csv")))
    if c.n <= SMALL:
        tools += [("inspect-text", inspect("text")), ("inspect-json", inspect("json"))]
    tools.append(("inspect-jsonl+sys", inspect("jsonl", sys_bundle=True)))
    if feat["jobs"]:
        tools += [("inspect-jsonl-j1", inspect("jsonl", ["--jobs", "1"])),
                  ("inspect-jsonl-j2", inspect("jsonl", ["--jobs", "2"]))]
    if feat["signatures"]:
        tools.append(("inspect-jsonl-sigskip", inspect("jsonl", ["--signatures", "skip"])))
    return tools + census_tool(eku, feat, c, trust)


def census_tool(eku, feat, c, trust):
    if not feat["census"]:
        return []
    h = feat["census_help"]
    opts = [a for a in trust if a == "--no-system" and a in h or a != "--no-system" and "--trust" in h]
    opts += ["--max-size", str(1 << 30)] if "--max-size" in h else []
    opts += ["-q"] if "--quiet" in h else []
    argv = [eku, "census", *opts, *c.inputs]
    return [("census", lambda c, timeout: timed(argv, None, timeout))]


# ---------------------------------------------------------------- corpora

def corpora(args):
    base = Path(args.cache) / corpus.VERSION
    base.mkdir(parents=True, exist_ok=True)
    out = []
    for n in args.sizes:
        g = corpus.generated(base, n, log, with_dir=not args.no_dir)
        parts = sorted(str(p) for p in g["bundle"].iterdir())
        out.append(Corpus("gen", "gen", n, [str(g["bundle"])], parts, g["roots"], g["chain"]))
        if g["dir"] is not None and not args.no_dir:
            files = sorted(str(p) for p in g["dir"].iterdir())
            out.append(Corpus("gen-dir", "gen-dir", n, [str(g["dir"])], files, g["roots"], g["chain"]))
        if n <= corpus.DIR_MAX and not args.no_ct:
            ct = corpus.ct_pages(base, n, log)
            pages = sorted(str(p) for p in ct.iterdir() if p.suffix == ".json")
            out.append(Corpus("gen-ct", "gen-ct", n, pages, pages, g["roots"], g["chain"],
                              note="CT pages, census only"))
    if args.no_real:
        return out
    shared = ROOT.parent / "shared" / "testdata"
    if shared.is_dir():
        r = corpus.real(base, "testdata", corpus.testdata_files(shared), log)
        out.append(Corpus("testdata", "real", r["count"], [str(r["bundle"])],
                          sorted(str(p) for p in r["bundle"].iterdir()),
                          note=f"{r['dropped']} unparseable dropped, {r['distinct']} distinct"))
    else:
        log(f"{shared}: missing, corpus 'testdata' not measured")
    if Path(corpus.SYSTEM_BUNDLE).is_file():
        r = corpus.real(base, "system", [Path(corpus.SYSTEM_BUNDLE)], log)
        out.append(Corpus("system", "real", r["count"], [str(r["bundle"])],
                          sorted(str(p) for p in r["bundle"].iterdir()), note="the system bundle"))
    return out


# ---------------------------------------------------------------- measuring

def measure(args, eku, feat, bins, cs):
    rows = {}
    timed_out = {}  # corpus kind family ("gen") -> smallest N where inspect timed out
    for rnd in range(args.rounds):
        for c in cs:
            fam = "gen" if c.kind.startswith("gen") else c.label
            # The baselines read PEM: none of them reads a CT page.
            base = baseline_tools(bins) if c.kind != "gen-ct" else []
            for name, fn in base + eku_tools(eku, feat, c):
                key = (c.label, c.n, name)
                row = rows.setdefault(key, {"corpus": c.label, "n": c.n, "tool": name,
                                            "note": c.note, "samples": []})
                tn = timed_out.get((fam, name.split("-")[0]))
                if name.startswith(("inspect", "census")) and tn is not None and c.n >= tn:
                    row.setdefault("status", f"SKIPPED ({name.split('-')[0]} timed out at N={tn})")
                    continue
                log(f"round {rnd + 1}/{args.rounds} {c.label} N={c.n} {name}")
                r = fn(c, args.timeout)
                r.pop("stdout", None)
                if r["timeout"]:
                    row["status"] = f"TIMEOUT (> {args.timeout} s)"
                    timed_out[(fam, name.split("-")[0])] = c.n
                    continue
                if r["rc"] != 0:
                    row["status"] = f"FAILED rc={r['rc']}: {r['stderr'].strip()[-200:]}"
                    continue
                if "certs" in r and r["certs"] != c.n:
                    add_note(row, f"counted {r['certs']} certificates, expected {c.n}")
                if r.get("errors"):
                    add_note(row, f"pyca could not read {r['errors']} certificates' facts")
                row["samples"].append({k: r[k] for k in ("wall", "cpu", "rss_kib", "rc") if k in r})
    for row in rows.values():
        summarise(row)
    return list(rows.values())


def add_note(row, text):
    if text not in row["note"]:
        row["note"] = f"{row['note']}; {text}" if row["note"] else text


def summarise(row):
    s = row["samples"]
    if not s:
        row.setdefault("status", "NO DATA")
        return
    row.setdefault("status", "ok")
    rates = [row["n"] / max(x["wall"], 1e-9) for x in s]
    core = [row["n"] / max(x["cpu"], 1e-9) for x in s]
    row.update(rate=statistics.median(rates), rate_min=min(rates), rate_max=max(rates),
               per_core=statistics.median(core), rss_kib=max(x["rss_kib"] for x in s),
               wall=statistics.median(x["wall"] for x in s), cpu=statistics.median(x["cpu"] for x in s))


def startup(eku, cert, runs):
    out = {}
    for label, extra in (("embedded", ["--no-system"]), ("system", [])):
        walls = []
        for _ in range(runs):
            r = timed([eku, "inspect", "--format", "jsonl", "-q", *extra, str(cert)], None, 60)
            walls.append(r["wall"] * 1000)
        out[label] = {"median_ms": statistics.median(walls), "min_ms": min(walls), "max_ms": max(walls),
                      "runs": runs}
    return out


# ---------------------------------------------------------------- verdicts

def find(rows, corpus_label, n, tool):
    for r in rows:
        if r["corpus"] == corpus_label and r["n"] == n and r["tool"] == tool:
            return r
    return None


def verdict(name, ok, value, target, where):
    return {"target": name, "status": "MET" if ok else "NOT MET", "value": value, "goal": target,
            "where": where}


def unmeasured(name, target, why):
    return {"target": name, "status": "NOT MET", "value": None, "goal": target, "where": why}


def targets(rows, start, sizes):
    t = []
    big = max(sizes)
    where = f"gen N={big}" + ("" if big >= 100000 else " (target defined at N=100k)")
    base = {b: find(rows, "gen", big, b) for b in ("pyca", "d2i", "memscan")}
    for tool, per_core, xp, other in (("inspect-jsonl", "inspect_per_core", "inspect_x_pyca", "inspect_x_d2i"),
                                      ("census", "census_per_core", "census_x_pyca", "census_vs_memscan")):
        r = find(rows, "gen", big, tool)
        names = [f"{tool} per-core certs/s >= {TARGETS[per_core]:,}", f"{tool} >= {TARGETS[xp]}x pyca",
                 f"{tool} >= {TARGETS[other]}x d2i" if other.endswith("d2i") else
                 f"census within {TARGETS[other]}x of memscan"]
        if r is None or "per_core" not in r:
            why = (r or {}).get("status") or f"no {tool} command in this binary"
            t += [unmeasured(nm, TARGETS[k], f"{where}: {why}") for nm, k in zip(names, (per_core, xp, other))]
            continue
        pc = r["per_core"]
        t.append(verdict(names[0], pc >= TARGETS[per_core], round(pc), TARGETS[per_core], where))
        for nm, key, b in ((names[1], xp, "pyca"), (names[2], other, "d2i" if other.endswith("d2i") else "memscan")):
            br = base[b]
            if br is None or "per_core" not in br:
                t.append(unmeasured(nm, TARGETS[key], f"{where}: baseline {b} missing"))
            elif b == "memscan":
                ratio = br["per_core"] / pc
                t.append(verdict(nm, ratio <= TARGETS[key], round(ratio, 1), TARGETS[key], where))
            else:
                ratio = pc / br["per_core"]
                t.append(verdict(nm, ratio >= TARGETS[key], round(ratio, 2), TARGETS[key], where))
    for label, s in start.items():
        t.append(verdict(f"start-up ({label}) <= {TARGETS['startup_ms']} ms", s["median_ms"] <= TARGETS["startup_ms"],
                         round(s["median_ms"], 2), TARGETS["startup_ms"], "one certificate, median of runs"))
    lo = min(sizes)
    rng = f"gen N={lo}..{big}" + ("" if big >= 1000000 else " (1M not run)")
    for tool in ("inspect-jsonl", "inspect-csv"):
        a, b = find(rows, "gen", lo, tool), find(rows, "gen", big, tool)
        names = (f"{tool} max RSS flat across N (<= {TARGETS['rss_growth']}x)",
                 f"{tool} CPU per certificate flat across N (<= {TARGETS['per_cert_growth']}x)")
        if lo == big:
            t += [unmeasured(nm, TARGETS[k], "one N only") for nm, k in zip(names, ("rss_growth", "per_cert_growth"))]
            continue
        if a is None or b is None or "per_core" not in a or "per_core" not in b:
            why = (b or {}).get("status", "not measured")
            t += [unmeasured(nm, TARGETS[k], f"{rng}: {why}") for nm, k in zip(names, ("rss_growth", "per_cert_growth"))]
            continue
        g = b["rss_kib"] / a["rss_kib"]
        t.append(verdict(names[0], g <= TARGETS["rss_growth"], round(g, 2), TARGETS["rss_growth"], rng))
        g = a["per_core"] / b["per_core"]
        t.append(verdict(names[1], g <= TARGETS["per_cert_growth"], round(g, 2), TARGETS["per_cert_growth"], rng))
    return t


# ---------------------------------------------------------------- output

def fmt_rate(x):
    return "-" if x is None else f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.1f}k" if x >= 1e3 else f"{x:.0f}"


def table(rows, start, verdicts, meta):
    lines = [f"eku: {meta['eku']}  features: {meta['features']}  rounds: {meta['rounds']}  "
             f"host: {meta['host']} ({meta['cpus']} CPUs)",
             f"pyca baseline: Python {meta['python']}, cryptography {meta['cryptography']}", "",
             f"{'corpus':<9}{'N':>8}  {'tool':<22}{'certs/s median (min-max)':>27}{'per-core':>10}"
             f"{'RSS MiB':>9}{'x pyca':>8}{'x d2i':>7}{'memscan/x':>10}  status"]
    for r in rows:
        if "rate" not in r:
            lines.append(f"{r['corpus']:<9}{r['n']:>8}  {r['tool']:<22}{'-':>27}{'-':>10}{'-':>9}"
                         f"{'-':>8}{'-':>7}{'-':>10}  {r['status']}")
            continue
        p, d, m = (find(rows, r["corpus"], r["n"], b) for b in ("pyca", "d2i", "memscan"))

        def ratio(b, inv=False):
            if b is None or "per_core" not in b or r["tool"] in ("pyca", "d2i", "memscan"):
                return "-"
            return f"{(b['per_core'] / r['per_core']) if inv else (r['per_core'] / b['per_core']):.2f}"
        rate = f"{fmt_rate(r['rate'])} ({fmt_rate(r['rate_min'])}-{fmt_rate(r['rate_max'])})"
        lines.append(f"{r['corpus']:<9}{r['n']:>8}  {r['tool']:<22}{rate:>27}{fmt_rate(r['per_core']):>10}"
                     f"{r['rss_kib'] / 1024:>9.1f}{ratio(p):>8}{ratio(d):>7}{ratio(m, True):>10}  "
                     f"{r['status']}" + (f" ({r['note']})" if r.get("note") else ""))
    lines += ["", "start-up (one certificate, wall ms): " + ", ".join(
        f"{k} median {v['median_ms']:.1f} (min {v['min_ms']:.1f}, max {v['max_ms']:.1f}, {v['runs']} runs)"
        for k, v in start.items()), "", "targets:"]
    for v in verdicts:
        lines.append(f"  {v['status']:<8} {v['target']}: {v['value'] if v['value'] is not None else '-'} "
                     f"(goal {v['goal']}; {v['where']})")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eku", default=os.environ.get("EKU_BIN", str(ROOT / "build" / "eku")))
    ap.add_argument("--cache", default="/var/tmp/eku-bench")
    ap.add_argument("--sizes", help="comma-separated N (default 1k,10k,100k up to --max-n)")
    ap.add_argument("--max-n", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per eku run (default 600)")
    ap.add_argument("--startup-runs", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="N <= 10k, 1 round")
    ap.add_argument("--no-real", action="store_true", help="skip the testdata and system corpora")
    ap.add_argument("--no-dir", action="store_true", help="skip the one-file-per-certificate corpora")
    ap.add_argument("--no-ct", action="store_true", help="skip the CT get-entries page corpora")
    ap.add_argument("--json", help="write the results as JSON to this file")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [s for s in SIZES if s <= args.max_n]
    if args.quick:
        sizes = [s for s in sizes if s <= SMALL] or [1000]
        args.rounds = 1
    args.sizes = sorted(sizes)
    eku = str(Path(args.eku).resolve())
    if not os.access(eku, os.X_OK):
        sys.exit(f"{eku}: eku binary not found (meson setup build && ninja -C build, or set EKU_BIN)")
    feat = features(eku)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    with tempfile.TemporaryDirectory(prefix="eku-bench-") as tmp:
        bins = build_baselines(Path(tmp))
        cs = corpora(args)
        first = Path(tmp) / "one.pem"
        first.write_bytes(corpus.PEM_RE.findall(Path(cs[0].files[0]).read_bytes())[0])
        start = startup(eku, first, args.startup_runs)
        rows = measure(args, eku, feat, bins, cs)
    meta = {"eku": eku, "features": {k: v for k, v in feat.items() if k != "census_help"},
            "rounds": args.rounds, "sizes": args.sizes, "timeout": args.timeout,
            "host": platform.node(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "cryptography": corpus.cryptography_version(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    verdicts = targets(rows, start, args.sizes)
    print(table(rows, start, verdicts, meta))
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "rows": rows, "startup": start,
                                               "targets": verdicts}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
