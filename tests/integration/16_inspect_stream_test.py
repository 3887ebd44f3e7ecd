"""eku inspect on many certificates: --jobs gives the same bytes as one thread,
jsonl/csv stream in input order with memory bounded by the largest file, and
chains still find issuers that come later in the input (the first pass)."""
import datetime
import json
import os
import subprocess

import pytest

from conftest import ROOT, run

cryptography = pytest.importorskip("cryptography", reason="python3-cryptography is needed to generate the corpus")
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

DATA = ROOT / "tests" / "data"
T0 = datetime.datetime(2026, 1, 1)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Stream Test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem(c):
    return c.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A root, an intermediate and 12 files of 250 distinct leaves each; the
    intermediate sits in the LAST file, after every leaf it issued."""
    d = tmp_path_factory.mktemp("stream")
    rk, ik, lk = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = (x509.CertificateBuilder().subject_name(_name("Stream Root")).issuer_name(_name("Stream Root"))
            .public_key(rk.public_key()).serial_number(1).not_valid_before(T0)
            .not_valid_after(T0 + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(True, None), True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(rk.public_key()), False)
            .sign(rk, hashes.SHA256()))
    inter = (x509.CertificateBuilder().subject_name(_name("Stream CA")).issuer_name(root.subject)
             .public_key(ik.public_key()).serial_number(2).not_valid_before(T0)
             .not_valid_after(T0 + datetime.timedelta(days=3650))
             .add_extension(x509.BasicConstraints(True, 0), True)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(ik.public_key()), False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(rk.public_key()), False)
             .sign(rk, hashes.SHA256()))
    (d / "root.pem").write_bytes(_pem(root))
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ik.public_key())
    files = []
    for f in range(12):
        blob = b""
        for i in range(250):
            n = f * 250 + i
            eku = [ExtendedKeyUsageOID.SERVER_AUTH] + ([ExtendedKeyUsageOID.CLIENT_AUTH] if n % 2 else [])
            leaf = (x509.CertificateBuilder()
                    .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"h{n}.example.test")]))
                    .issuer_name(inter.subject).public_key(lk.public_key())
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(T0 + datetime.timedelta(days=n % 200))
                    .not_valid_after(T0 + datetime.timedelta(days=90 + n % 200))
                    .add_extension(x509.BasicConstraints(False, None), True)
                    .add_extension(x509.SubjectAlternativeName([x509.DNSName(f"h{n}.example.test")]), False)
                    .add_extension(x509.ExtendedKeyUsage(eku), False)
                    .add_extension(aki, False).sign(ik, hashes.SHA256()))
            blob += _pem(leaf)
        if f == 11:
            blob += _pem(inter)
        p = d / "leaves" / f"part-{f:02d}.pem"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(blob)
        files.append(p)
    return d, files


def _inspect(eku_bin, corpus_dir, *args, inputs=None, **kw):
    return run([eku_bin, "inspect", "--no-system", "--at", "2026-06-01", "--trust",
                corpus_dir / "root.pem", *args, *(inputs or [corpus_dir / "leaves"])], **kw)


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "csv"])
def test_jobs_give_the_same_bytes(eku_bin, corpus, fmt):
    d, _ = corpus
    one = _inspect(eku_bin, d, "--jobs", "1", "--format", fmt)
    assert one.returncode == 0, one.stderr
    for jobs in ("2", "5"):
        many = _inspect(eku_bin, d, "--jobs", jobs, "--format", fmt)
        assert many.returncode == 0, many.stderr
        assert many.stdout == one.stdout, f"--jobs {jobs} differs from --jobs 1 ({fmt})"


def test_jsonl_streams_in_input_order_and_finds_later_issuers(eku_bin, corpus):
    d, files = corpus
    r = _inspect(eku_bin, d, "--jobs", "2", "--format", "jsonl")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == 12 * 250 + 1
    # Input order: file by file, block by block.
    keys = [(row["source"], row["index"]) for row in rows]
    assert keys == sorted(keys)
    # The intermediate comes last in the input, yet every leaf's chain
    # reaches the root given with --trust through it.
    leaves = [row for row in rows if not row["is_ca"]]
    assert all(row["chain_complete"] and row["chain_length"] == 3 for row in leaves)
    assert {row["issuer_class"] for row in leaves} == {"private"}


def test_json_and_jsonl_hold_the_same_objects(eku_bin, corpus):
    d, _ = corpus
    doc = json.loads(_inspect(eku_bin, d, "--format", "json").stdout)
    lines = [json.loads(x) for x in _inspect(eku_bin, d, "--format", "jsonl").stdout.splitlines()]
    key = lambda c: (c["source"], c["index"])  # noqa: E731
    assert sorted(doc["certificates"], key=key) == sorted(lines, key=key)


def _max_rss_kib(cmd, tmp_path, codes=(0,)):
    # GNU time, not os.wait4: Linux carries the parent's peak RSS into a
    # forked child, so wait4 would report pytest's own size.
    if not os.path.exists("/usr/bin/time"):
        pytest.skip("GNU time (/usr/bin/time, Debian package time) is needed to measure peak RSS")
    out = tmp_path / "rss"
    env = dict(os.environ)
    if "ASAN_OPTIONS" in env:
        # CI runs this with the AddressSanitizer binary: its quarantine keeps
        # freed memory for a while, which would make any long run look like
        # it grows. Without it, reuse shows as with the plain allocator.
        env["ASAN_OPTIONS"] += ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(out), *map(str, cmd)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert p.returncode in codes, p.stderr
    return int(out.read_text().split()[-1])


KEY_BLOCK = b"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n"


@pytest.fixture(scope="module")
def big_file(corpus, tmp_path_factory):
    """All 3001 certificates in ONE file of about 3 MB (larger than a part,
    256 KiB), with what a real export holds between blocks: text, a key,
    CRLF line ends, a malformed BEGIN line, a corrupt block, and a BEGIN
    without END at the very end."""
    _, files = corpus
    blocks = []
    for f in files:
        data = f.read_bytes()
        blocks += [b + b"-----END CERTIFICATE-----\n" for b in data.split(b"-----END CERTIFICATE-----\n") if b.strip()]
    out = []
    for i, b in enumerate(blocks):
        if i % 400 == 0:
            out.append(b"subject=CN=a line of openssl -text output %d\n\n" % i)
        if i % 700 == 1:
            out.append(KEY_BLOCK)
        if i == 1234:
            out.append(b"-----BEGIN CERT\nIFICATE-----\n")
        if i == 2000:
            b = b[:120] + b"!!" + b[122:]
        out.append(b.replace(b"\n", b"\r\n") if i % 333 == 0 else b)
    out.append(b"-----BEGIN CERTIFICATE-----\nMIIBtruncated\n")
    p = tmp_path_factory.mktemp("big") / "export.pem"
    p.write_bytes(b"".join(out))
    assert p.stat().st_size > 6 * 256 * 1024
    return p


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "text"])
def test_a_large_file_read_in_parts_reads_as_the_whole_file(eku_bin, corpus, big_file, fmt):
    """A large PEM file is read, parsed and printed in parts; standard input
    is read whole: both must give the same certificates, positions (line,
    block) and diagnostics, in the same order."""
    d, _ = corpus
    whole = _inspect(eku_bin, d, "--jobs", "1", "--format", fmt, inputs=["-"], input=big_file.read_bytes(), text=False)
    assert whole.returncode == 2, whole.stderr  # the corrupt and truncated blocks
    for jobs in ("1", "2", "5"):
        parts = _inspect(eku_bin, d, "--jobs", jobs, "--format", fmt, inputs=[big_file], text=False)
        assert parts.returncode == whole.returncode
        name = str(big_file).encode()
        if fmt in ("jsonl", "json"):
            name = json.dumps(str(big_file)).encode()[1:-1]
        assert parts.stdout.replace(name, b"-") == whole.stdout, f"{fmt} --jobs {jobs}"
        assert parts.stderr.replace(str(big_file).encode(), b"-") == whole.stderr, f"{fmt} --jobs {jobs}"
    assert b"malformed BEGIN line" in whole.stderr and b"BEGIN without matching END" in whole.stderr
    if fmt == "jsonl":
        rows = [json.loads(x) for x in parts.stdout.splitlines()]
        assert len(rows) == 3001 - 1  # the corrupt one is a diagnostic
        assert rows[-1]["line"] > 30000 and rows[-1]["index"] > 3000


@pytest.fixture(scope="module")
def big_copies(big_file, tmp_path_factory):
    """Three more copies of the large file: 9,000 more certificates."""
    d = tmp_path_factory.mktemp("copies")
    for i in range(3):
        (d / f"export-{i}.pem").write_bytes(big_file.read_bytes())
    return sorted(d.iterdir())


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_streaming_memory_does_not_grow_with_the_input(eku_bin, corpus, big_file, big_copies, fmt, tmp_path):
    """Memory is bounded by the parts and files in flight, not by the input:
    500 certificates in two files, then 15,000 in twelve small files and
    four large ones (each read in parts)."""
    d, files = corpus
    base = [eku_bin, "inspect", "--no-system", "--jobs", "2", "--format", fmt, "--trust", d / "root.pem"]
    small = _max_rss_kib(base + [files[0], files[-1]], tmp_path)
    large = _max_rss_kib(base + files + [big_file] + big_copies, tmp_path, codes=(2,))
    assert large < small * 1.25 + 4096, f"{fmt}: {small} KiB for 2 files, {large} KiB for 16"
    # The held formats do keep the run: the check above can tell the difference.
    held = _max_rss_kib(base[:6] + ["json"] + base[7:] + files + [big_file] + big_copies, tmp_path, codes=(2,))
    assert held > small * 1.25 + 4096, f"json: {held} KiB"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_one_large_file_streams_in_memory_that_does_not_grow(eku_bin, corpus, big_file, big_copies, fmt, tmp_path):
    """A large file is not held whole: four of them take what one takes."""
    d, files = corpus
    base = [eku_bin, "inspect", "--no-system", "--jobs", "2", "--format", fmt, "--trust", d / "root.pem"]
    one = _max_rss_kib(base + [big_file], tmp_path, codes=(2,))
    four = _max_rss_kib(base + [big_file] + big_copies, tmp_path, codes=(2,))
    assert four < one * 1.25 + 2048, f"{fmt}: {one} KiB for one file of {big_file.stat().st_size >> 10} KiB, {four} KiB for four"


def test_stdin_is_read_once_for_both_passes(eku_bin, corpus):
    d, files = corpus
    blob = files[-1].read_bytes()
    via_stdin = _inspect(eku_bin, d, "--format", "jsonl", inputs=["-"], input=blob, text=False)
    via_file = _inspect(eku_bin, d, "--format", "jsonl", inputs=[files[-1]])
    assert via_stdin.returncode == 0, via_stdin.stderr
    a = [json.loads(x) for x in via_stdin.stdout.splitlines()]
    b = [json.loads(x) for x in via_file.stdout.splitlines()]
    assert len(a) == len(b) == 251
    for x, y in zip(a, b):
        x.pop("source"), y.pop("source")
        assert x == y


def test_bad_jobs_and_signatures_values(eku_bin):
    for args, what in ((["--jobs", "0"], "--jobs 0"), (["--jobs", "-3"], "--jobs -3"),
                       (["--jobs", "x"], "--jobs x"), (["--signatures", "maybe"], "--signatures maybe")):
        r = run([eku_bin, "inspect", *args, DATA / "leaf-dual.pem"])
        assert r.returncode == 2 and what in r.stderr, r.stderr


def test_signatures_skip_says_so_and_check_refuses_a_forged_chain(eku_bin, corpus, tmp_path):
    d, files = corpus
    # A leaf whose issuer name and key identifier match the intermediate but
    # which another key signed: only a signature check can tell.
    other = ec.generate_private_key(ec.SECP256R1())
    blocks = files[-1].read_bytes().split(b"-----END CERTIFICATE-----\n")
    last = blocks[-2] + b"-----END CERTIFICATE-----\n"  # the intermediate ends the file
    inter = x509.load_pem_x509_certificate(last)
    assert inter.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Stream CA"
    ski = inter.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    forged = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "forged.example.test")]))
              .issuer_name(inter.subject).public_key(other.public_key()).serial_number(7)
              .not_valid_before(T0).not_valid_after(T0 + datetime.timedelta(days=90))
              .add_extension(x509.BasicConstraints(False, None), True)
              .add_extension(x509.AuthorityKeyIdentifier(ski.digest, None, None), False)
              .sign(other, hashes.SHA256()))
    f = tmp_path / "forged.pem"
    f.write_bytes(_pem(forged) + _pem(inter))
    checked = json.loads(_inspect(eku_bin, d, "--format", "jsonl", inputs=[f]).stdout.splitlines()[0])
    skipped = json.loads(_inspect(eku_bin, d, "--format", "jsonl", "--signatures", "skip",
                                  inputs=[f]).stdout.splitlines()[0])
    assert checked["subject"] == skipped["subject"] == "CN=forged.example.test"
    assert checked["chain_complete"] is False and checked["issuer_class"] == "unknown"
    assert skipped["chain_complete"] is True and skipped["issuer_class"] == "private"
    assert any("signatures not checked" in e for e in skipped["evidence"])
    assert not any("signatures not checked" in e for e in checked["evidence"])
