"""bench/serve/run.py (issue 13) with small N: both sources report a round,
a scrape, memory and history figures, and no input failed. Timings are not
asserted: this machine is shared.
"""
import re
import sys

from conftest import ROOT, need, run

BENCH = ROOT / "bench" / "serve" / "run.py"


def test_serve_bench_smoke(eku_bin):
    need("nginx")
    need("sqlite3")
    r = run([sys.executable, str(BENCH), "--eku", eku_bin, "--files", "60", "--targets", "60", "--rounds", "2"],
            timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout
    for kind in ("files", "targets"):
        block = out.split(f"{kind}: 60 places")[1].split("\n\n")[0]
        assert re.search(r"round: [0-9.]+ s \([0-9]+ places/s\), failed inputs 0", block), out
        assert re.search(r"/metrics: [0-9]+ ms, 252 series", block), out   # 4 per place + 12 fixed
        assert re.search(r"RSS: peak [0-9]+ MiB", block), out
        assert re.search(r"history: [0-9]+ bytes/observation", block), out
    assert "ratio targets/files round time" in out
