"""bench/inspect/run.py (issue 10) in --quick mode with small N: the table and
the JSON carry the expected rows, every target gets a verdict, and a run that
exceeds --timeout is reported as TIMEOUT (never dropped). Timings are not
asserted: this machine is shared.
"""
import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, run

BENCH = ROOT / "bench" / "inspect" / "run.py"
BASELINES = {"memscan", "d2i", "pyca"}
BUNDLE_TOOLS = BASELINES | {"inspect-jsonl", "inspect-csv", "inspect-text", "inspect-json",
                            "inspect-jsonl+sys"}
TARGET_WORDS = ["inspect-jsonl per-core", "inspect-jsonl >= 8x pyca", "inspect-jsonl >= 30x d2i",
                "census per-core", "census >= 40x pyca", "census within 10x of memscan",
                "start-up (embedded)", "start-up (system)", "inspect-jsonl max RSS flat",
                "inspect-jsonl CPU per certificate flat", "inspect-csv max RSS flat",
                "inspect-csv CPU per certificate flat"]


def bench(tmp_path, eku, *extra, timeout=900):
    out = tmp_path / "bench.json"
    r = run([sys.executable, str(BENCH), "--quick", "--cache", str(tmp_path / "cache"),
             "--startup-runs", "3", "--json", str(out), "--eku", eku, *extra], timeout=timeout)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout, json.loads(out.read_text())


def rows_of(doc):
    return {(r["corpus"], r["n"], r["tool"]): r for r in doc["rows"]}


def test_quick_rows_and_targets(tmp_path, eku_bin):
    help_text = run([eku_bin, "inspect", "--help"]).stdout
    table, doc = bench(tmp_path, eku_bin, "--sizes", "1000,2000")
    rows = rows_of(doc)
    expect = {("gen", n, t) for n in (1000, 2000) for t in BUNDLE_TOOLS}
    expect |= {("gen-dir", n, t) for n in (1000, 2000) for t in BASELINES | {"inspect-jsonl"}}
    if "--jobs" in help_text:
        expect |= {("gen", n, t) for n in (1000, 2000) for t in ("inspect-jsonl-j1", "inspect-jsonl-j2")}
    if "--signatures" in help_text:
        expect |= {("gen", n, "inspect-jsonl-sigskip") for n in (1000, 2000)}
    if run([eku_bin, "census", "--help"]).returncode == 0:
        expect |= {(c, n, "census") for c in ("gen", "gen-dir", "gen-ct") for n in (1000, 2000)}
    assert expect <= set(rows), sorted(expect - set(rows))
    for key in expect:
        row = rows[key]
        assert row["status"] == "ok", (key, row["status"])
        assert len(row["samples"]) == 1 and row["per_core"] > 0 and row["rss_kib"] > 0, key
        assert "expected" not in row["note"], (key, row["note"])  # every baseline counted N
        line = [ln for ln in table.splitlines() if ln.split()[:3] == [key[0], str(key[1]), key[2]]]
        assert len(line) == 1, key
    assert doc["meta"]["sizes"] == [1000, 2000] and doc["meta"]["rounds"] == 1
    if Path("/etc/ssl/certs/ca-certificates.crt").is_file():
        assert any(k[0] == "system" and k[2] == "inspect-jsonl" for k in rows)
    if (SHARED / "testdata").is_dir():
        assert any(k[0] == "testdata" and k[2] == "pyca" for k in rows)
    assert set(doc["startup"]) == {"embedded", "system"}
    names = [t["target"] for t in doc["targets"]]
    for word in TARGET_WORDS:
        assert sum(word in n for n in names) == 1, (word, names)
    for t in doc["targets"]:
        assert t["status"] in ("MET", "NOT MET"), t
        assert f"{t['status']:<8} {t['target']}" in table


@pytest.fixture
def fake_eku(tmp_path):
    """An 'eku' that offers --jobs, --signatures and census, and hangs on
    --jobs: the bench must detect the features and report the hang."""
    p = tmp_path / "fake-eku"
    p.write_text("#!/bin/sh\n"
                 'case "$1 $2" in\n'
                 '"inspect --help") echo "  --jobs N"; echo "  --signatures MODE"; exit 0;;\n'
                 '"census --help") echo "usage: eku census [--quiet] INPUT..."; exit 0;;\n'
                 "esac\n"
                 'case "$*" in *--jobs*) exec sleep 60;; esac\n'
                 "exit 0\n")
    p.chmod(0o755)
    return str(p)


def test_timeout_reported_and_later_runs_skipped(tmp_path, fake_eku):
    table, doc = bench(tmp_path, fake_eku, "--sizes", "1000,2000", "--no-real", "--no-dir",
                       "--timeout", "2")
    rows = rows_of(doc)
    assert rows[("gen", 1000, "inspect-jsonl-j1")]["status"].startswith("TIMEOUT")
    assert rows[("gen", 1000, "inspect-jsonl-j2")]["status"] == "SKIPPED (inspect timed out at N=1000)"
    assert rows[("gen", 2000, "inspect-jsonl")]["status"] == "SKIPPED (inspect timed out at N=1000)"
    assert rows[("gen", 1000, "inspect-jsonl-sigskip")]["status"].startswith("SKIPPED")
    assert rows[("gen", 2000, "census")]["status"] == "ok"  # census is its own family
    assert "TIMEOUT (> 2 s)" in table
    flat = [t for t in doc["targets"] if t["target"].startswith("inspect-jsonl max RSS")]
    assert flat[0]["status"] == "NOT MET" and "SKIPPED" in flat[0]["where"], flat
