"""Inputs built to make the loader spin: PKCS#12 iteration counts, link loops
in a directory walk, oversized files, many bad PEM blocks (issue 9). Each case
must end in seconds with the exact error code, and every message must name an
option the command that prints it really has."""
import json
import os
import subprocess
import time

from conftest import ROOT, run

DATA = ROOT / "tests" / "data"
OVER = 16 * 1024 * 1024 + 1  # one byte over the default cap


def inspect(eku_bin, *args, **kw):
    return run([eku_bin, "inspect", "--no-system", *map(str, args)], **kw)


# (fixture, what asks for 2^31-1 iterations) -- tests/data/make-p12-iter.c
P12_CASES = [
    ("p12-mac-iter-huge.p12", "MAC"),
    ("p12-certbag-iter-huge.p12", "encrypted safe"),
    ("p12-keybag-iter-huge.p12", "key bag"),
]


def test_pkcs12_huge_iterations_refused_fast(eku_bin):
    for name, what in P12_CASES:
        t = time.monotonic()
        r = inspect(eku_bin, "--format", "json", DATA / name, timeout=5)
        assert time.monotonic() - t < 5
        assert r.returncode == 2, (name, r.stderr)
        doc = json.loads(r.stdout)
        assert [e["code"] for e in doc["errors"]] == ["too_costly"], (name, doc["errors"])
        # Names the file, the part, the count and what to do.
        line = r.stderr.strip()
        assert name in line and what in line and "2147483647" in line, line
        assert "-iter" in line, line


def test_verify_refuses_huge_iterations_fast(eku_bin):
    r = run([eku_bin, "verify", "--role", "client", "--trust", DATA / "private-root.pem",
             DATA / "p12-mac-iter-huge.p12"], timeout=5)
    assert r.returncode == 2 and "2147483647" in r.stderr, r.stderr


def loop_dir(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "leaf.pem").write_bytes((DATA / "leaf-dual.pem").read_bytes())
    os.symlink(".", d / "a")
    os.symlink(".", d / "b")
    os.symlink("loop.pem", d / "loop.pem")      # a link to itself
    os.symlink("leaf.pem", d / "same.pem")      # the same file twice
    (d / "sub").mkdir()
    os.symlink("..", d / "sub" / "up")          # back to d from below
    return d


def test_directory_link_loops_walked_once(eku_bin, tmp_path):
    # Before: a, b -> "." made the walk 2^32 paths deep (467 MB in 20 s).
    d = loop_dir(tmp_path)
    t = time.monotonic()
    r = inspect(eku_bin, "--format", "json", d, timeout=5)
    assert time.monotonic() - t < 5
    assert r.returncode == 0, r.stderr   # skips are warnings: the certificate was read
    doc = json.loads(r.stdout)
    assert len(doc["certificates"]) == 1 and doc["errors"] == []
    skipped = {os.path.relpath(w["source"], d): w["message"] for w in doc["warnings"]}
    assert set(skipped) == {"a", "b", "loop.pem", "same.pem", "sub/up"}, skipped
    assert "same directory" in skipped["a"] and "same file" in skipped["same.pem"]
    assert "symbolic links" in skipped["loop.pem"]
    # Said on stderr too, one warning line each.
    assert r.stderr.count("warning:") == 5, r.stderr


def oversized(path):
    data = (DATA / "leaf-dual.pem").read_bytes()
    path.write_bytes(data + b"\n" * (OVER - len(data)))
    return path


def test_size_limit_hint_only_where_the_option_exists(eku_bin, tmp_path):
    big = oversized(tmp_path / "big.pem")
    r = inspect(eku_bin, big)
    assert r.returncode == 2 and "16777216-byte limit" in r.stderr and "--max-size" in r.stderr

    # plan: the file named in an inventory.
    inv = tmp_path / "inv.yaml"
    inv.write_text("at: 2026-11-27\nnodes:\n"
                   f"  - {{ name: expe1, product: expressway-e, version: X15.5.0, "
                   f"certificates: {{ server: {big} }} }}\n")
    r = run([eku_bin, "plan", "--no-system", str(inv)])
    assert "16777216-byte limit" in r.stderr, r.stderr
    assert "--max-size" not in r.stderr + r.stdout

    # gateway --check: the server store's certificate.
    key = tmp_path / "k.key"
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-out", str(key)], check=True, capture_output=True)
    key.chmod(0o600)
    cfg = tmp_path / "gw.yaml"
    cfg.write_text("version: 1\nserver_store:\n  - name: s\n"
                   f"    cert: {big}\n    key: {key}\n    default: true\n"
                   "routes:\n  - name: r\n    listen: [127.0.0.1:1]\n    policy: off\n"
                   "    upstream: {address: 127.0.0.1:2}\n")
    r = run([eku_bin, "gateway", "--check", str(cfg)])
    assert r.returncode == 2 and "16777216-byte limit" in r.stderr, r.stderr
    assert "--max-size" not in r.stderr + r.stdout


def test_fifo_without_writer_is_reported_not_waited_for(eku_bin, tmp_path):
    """A FIFO nobody writes to used to block eku forever in open()."""
    fifo = tmp_path / "certs.fifo"
    os.mkfifo(fifo)
    for cmd in (["inspect", "--no-system"], ["inspect", "--no-system", "--format", "jsonl"],
                ["census", "--no-system"]):
        t = time.monotonic()
        r = run([eku_bin, *cmd, str(fifo), str(DATA / "leaf-dual.pem")], timeout=10)
        assert time.monotonic() - t < 10
        assert r.returncode == 2, (cmd, r.stderr)
        assert f"{fifo}: a FIFO nobody wrote to" in r.stderr, r.stderr


def test_pipes_are_read_once_for_both_passes(eku_bin, tmp_path):
    """A pipe (a shell's <(command), a FIFO with its writer running) can be
    read only once: the streaming formats' two passes and census's counting
    pass must still see its certificates, as with a file."""
    chain = DATA / "chain-dual.pem"
    want = run([eku_bin, "inspect", "--no-system", "--format", "jsonl", str(chain)])
    assert want.returncode == 0, want.stderr
    for fmt in ("jsonl", "csv", "json"):
        r = subprocess.run(["bash", "-c", f'"$0" inspect --no-system --format {fmt} <(cat "$1")', eku_bin, chain],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, (fmt, r.stderr)
        if fmt == "jsonl":
            rows = [json.loads(x) for x in r.stdout.splitlines()]
            ref = [json.loads(x) for x in want.stdout.splitlines()]
            assert len(rows) == len(ref) == 3
            for a, b in zip(rows, ref):
                a.pop("source"), b.pop("source")
                assert a == b
    fifo = tmp_path / "w.fifo"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["bash", "-c", 'cat "$0" > "$1"', chain, fifo])
    try:
        r = run([eku_bin, "census", "--no-system", "--format", "json", str(fifo)], timeout=30)
    finally:
        writer.wait(timeout=10)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["totals"]["certificates"] + doc["totals"]["ca_certificates"] == 3, doc["totals"]
