"""CLI behaviour a new user meets first (issue 14, "CLI polish"): help,
version, option errors, help alignment, target syntax, verify's output, empty
YAML files. Each case asserts the exit code and the message."""
import json
import os
import re
from pathlib import Path

import pytest

from conftest import ROOT, run

COMMANDS = ["census", "data", "gateway", "history", "inspect", "plan", "report", "scan", "serve", "verify"]
CA_SUBCOMMANDS = ["init", "issue", "renew", "revoke", "crl", "list", "check", "offline-root"]
DATA = ROOT / "tests" / "data"


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_cmd_equals_cmd_help(eku_bin, cmd):
    a = run([eku_bin, "help", cmd])
    b = run([eku_bin, cmd, "--help"])
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout and a.stdout.startswith(f"usage: eku {cmd}")


def test_help_unknown_command(eku_bin):
    r = run([eku_bin, "help", "nosuch"])
    assert r.returncode == 2 and "unknown command 'nosuch'" in r.stderr


@pytest.mark.parametrize("arg", ["version", "-V", "--version"])
def test_version(eku_bin, arg):
    r = run([eku_bin, arg])
    assert r.returncode == 0, r.stderr
    assert re.match(r"eku \d+\.\d+\.\d+ \(libeku \d+\.\d+\.\d+, OpenSSL ", r.stdout), r.stdout


@pytest.mark.parametrize("cmd", COMMANDS)
@pytest.mark.parametrize("arg,message", [
    ("--zzz", "unrecognized option '--zzz'"),
    ("--zzz=1", "unrecognized option '--zzz'"),
    ("-Z", "unrecognized option '-Z'"),
    ("--format", "option '--format' needs an argument"),
    ("--help=1", "option '--help' takes no argument"),
])
def test_bad_option(eku_bin, cmd, arg, message):
    if cmd in ("gateway", "serve") and arg == "--format":
        arg, message = "--log", "option '--log' needs an argument"
    r = run([eku_bin, cmd, arg])
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"eku {cmd}: error: {message}",
                                     f"run 'eku {cmd} --help' for the options"], r.stderr


def test_ambiguous_option(eku_bin):
    r = run([eku_bin, "verify", "--allow", "x", "c.pem"])
    assert r.returncode == 2
    assert "eku verify: error: option '--allow' is ambiguous" in r.stderr


def misaligned(text):
    """Option lines whose description does not start in the help's column
    (the column of its first option line); long option names may push theirs."""
    lines = text.splitlines()
    col = next(m.start(2) for m in (re.match(r"^  (-\S.*?)  +(\S)", l) for l in lines) if m)
    bad = []
    for line in lines:
        if not line.startswith("  -"):
            continue
        if len(line) > col and line[col - 2:col] == "  " and line[col] != " ":
            continue
        term = re.match(r"^  (-\S.*?)(  |$)", line).group(1)
        if 2 + len(term) >= col - 1:
            continue
        bad.append(line)
    return col, bad


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_columns_aligned(eku_bin, cmd):
    out = run([eku_bin, cmd, "--help"]).stdout
    col, bad = misaligned(out)
    assert not bad, f"not at column {col}:\n" + "\n".join(bad)
    if cmd not in ("gateway", "serve", "history"):  # no --at: they run now
        assert re.search(r"^  --at DATE {%d}\S" % (col - 2 - len("--at DATE")), out, re.M), out


HELP_WIDTH = 80
HELP_CALLS = ([["--help"]] + [[c, "--help"] for c in COMMANDS] + [["ca", "--help"]]
              + [["ca", s, "--help"] for s in CA_SUBCOMMANDS])


@pytest.mark.parametrize("args", HELP_CALLS, ids=" ".join)
def test_help_fits_80_columns(eku_bin, args):
    """Every help text, examples included, fits an 80-column terminal."""
    r = run([eku_bin, *args])
    assert r.returncode == 0 and r.stdout.startswith("usage: eku"), r.stderr
    wide = [f"{len(l)}: {l}" for l in r.stdout.expandtabs().splitlines() if len(l) > HELP_WIDTH]
    assert not wide, f"lines over {HELP_WIDTH} columns:\n" + "\n".join(wide)


@pytest.mark.parametrize("target", ["bad target::", "foo bar", "a:b:c", "host name:443"])
def test_scan_bad_target_is_usage_error(eku_bin, target):
    r = run([eku_bin, "scan", "--timeout", "2s", target])
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert f"'{target}'" in r.stderr
    assert "host[:port][,starttls=PROTO][,sni=NAME]" in r.stderr and "[addr]:port" in r.stderr
    assert "dns" not in r.stdout + r.stderr


def test_verify_chain_incomplete_once(eku_bin):
    r = run([eku_bin, "verify", "--role", "client", "-q", str(DATA / "leaf-dual.pem")])
    assert r.returncode == 1
    assert r.stdout.count("chain_incomplete (depth 0)") == 1, r.stdout
    j = json.loads(run([eku_bin, "verify", "--role", "client", "-q", "--format", "json",
                        str(DATA / "leaf-dual.pem")]).stdout)
    assert [e["code"] for e in j["errors"]] == ["chain_incomplete"]


def test_verify_chain_source(eku_bin):
    leaf, ca, root = (str(DATA / f) for f in ("leaf-dual.pem", "private-ca.pem", "private-root.pem"))
    r = run([eku_bin, "verify", "--role", "client", "--format", "json", "--trust", root,
             "--untrusted", ca, leaf])
    assert r.returncode == 0, r.stderr
    assert [c["source"] for c in json.loads(r.stdout)["chain"]] == [leaf, ca, root]


def test_verify_chain_source_null_from_store(eku_bin, tmp_path):
    """A certificate taken from the system store has no file: source is null."""
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if not bundle.exists():
        pytest.skip(f"{bundle} absent (apt-get install ca-certificates)")
    r = run([eku_bin, "verify", "--role", "server", "--format", "json", "--trust", "system",
             "--partial-chain", str(DATA / "leaf-dual.pem")])
    chain = json.loads(r.stdout)["chain"]
    assert chain[0]["source"] == str(DATA / "leaf-dual.pem")
    assert all(c["source"] is None or c["source"] for c in chain)


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n  # another\n"])
def test_empty_gateway_config(eku_bin, tmp_path, content):
    f = tmp_path / "gw.yaml"
    f.write_text(content)
    r = run([eku_bin, "gateway", "--check", str(f)])
    assert r.returncode == 2
    assert f"{f}:1:1: the file is empty" in r.stderr and "routes:" in r.stderr, r.stderr
    assert "syntax error" not in r.stderr


@pytest.mark.parametrize("content", ["", "# only a comment\n"])
def test_empty_inventory(eku_bin, tmp_path, content):
    f = tmp_path / "inv.yaml"
    f.write_text(content)
    r = run([eku_bin, "plan", str(f)])
    assert r.returncode == 2
    assert "syntax error" not in r.stderr and "examples/expressway/inventory.yaml" in r.stderr


# ---- the sweep: bad values a new user types ------------------------------------

@pytest.mark.parametrize("args,message", [
    (["gateway", ""], "eku gateway: error: CONFIG: empty file name"),
    (["data", "export", ""], "eku data: error: export: empty directory name"),
    (["inspect", "--data-dir", "", "x.pem"], "eku inspect: error: --data-dir: empty directory name"),
    (["inspect", "--system-bundle", "/nonexistent/bundle.crt", "tests/data/leaf-dual.pem"],
     "eku inspect: error: --system-bundle /nonexistent/bundle.crt: No such file or directory"),
    (["scan", "--system-bundle", "tests", "x"], "eku scan: error: --system-bundle tests: is a directory"),
    (["plan", "--system-bundle", "/nonexistent/bundle.crt", "examples/expressway/inventory.yaml"],
     "eku plan: error: --system-bundle /nonexistent/bundle.crt: No such file or directory"),
    (["plan", "--chains", "/nonexistent/chains", "examples/expressway/inventory.yaml"],
     "eku plan: error: --chains /nonexistent/chains: No such file or directory"),
    (["plan", "--chains", "README.md", "examples/expressway/inventory.yaml"],
     "eku plan: error: --chains README.md: not a directory"),
    (["plan", "--chains", "", "examples/expressway/inventory.yaml"],
     "eku plan: error: --chains: empty directory name"),
    (["scan", "--sni", "", "x"], "eku scan: error: --sni: empty name"),
    (["scan", "--save-chains", "", "--inventory", "examples/expressway/inventory.yaml"],
     "eku scan: error: --save-chains: empty directory name"),
    (["scan", "--client-cert", "tests", "x"], "eku scan: error: --client-cert tests: is a directory"),
    (["scan", "--client-cert", "", "x"], "eku scan: error: --client-cert: empty file name"),
    (["scan", "--xmpp-to", "", "x"], "eku scan: error: --xmpp-to: empty domain"),
    (["gateway", "--log", "tests", "examples/gateway/gateway.yaml"],
     "eku gateway: error: --log 'tests': is a directory"),
    (["inspect", "--trust", "", "tests/data/leaf-dual.pem"], "eku inspect: error: --trust : no file name"),
    (["inspect", "--public-root", "letsencrypt=", "tests/data/leaf-dual.pem"],
     "eku inspect: error: --public-root letsencrypt=: no file name"),
    (["verify", "--role", "client", "tests"], "eku verify: error: CERT tests: is a directory"),
    (["verify", "--role", "client", ""], "eku verify: error: CERT: empty file name"),
    (["verify", "--role", "client", "--crl", "/nonexistent.crl", "tests/data/leaf-dual.pem"],
     "eku verify: error: CRL file /nonexistent.crl: cannot open"),
])
def test_bad_values_are_usage_errors(eku_bin, args, message):
    r = run([eku_bin] + args, cwd=ROOT, timeout=20)
    assert r.returncode == 2, (r.returncode, r.stdout[-500:], r.stderr)
    assert r.stderr.startswith(message), r.stderr


def test_gateway_missing_config_names_file_once(eku_bin, tmp_path):
    f = tmp_path / "nosuch.yaml"
    r = run([eku_bin, "gateway", "--check", str(f)])
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == f"eku gateway: error: {f}: cannot open: No such file or directory"


@pytest.mark.parametrize("sub", CA_SUBCOMMANDS)
def test_ca_subcommands_report_bad_options_like_every_command(eku_bin, sub):
    r = run([eku_bin, "ca", sub, "--zzz"])
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"eku ca {sub}: error: unrecognized option '--zzz'",
                                      f"run 'eku ca {sub} --help' for the options"]
    h = run([eku_bin, "ca", sub, "--help"])
    assert h.returncode == 0 and h.stdout.startswith(f"usage: eku ca {sub}")
    col, bad = misaligned(h.stdout)
    assert not bad, f"not at column {col}:\n" + "\n".join(bad)


def test_ca_help_and_unknown_subcommand(eku_bin):
    a, b = run([eku_bin, "help", "ca"]), run([eku_bin, "ca", "--help"])
    assert a.returncode == b.returncode == 0 and a.stdout == b.stdout
    r = run([eku_bin, "ca", "--zzz"])
    assert r.returncode == 2 and "unknown subcommand '--zzz'" in r.stderr
