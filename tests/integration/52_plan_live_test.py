"""eku plan --scan and --chains: host:port certificates of an inventory read
live from openssl s_server peers on 127.0.0.1 and judged like files, with
where and when each was read; dead endpoints (refused, silent) stay unknown
with the failure class and cost no more than their timeout. Also eku scan
--save-chains writing the chains that eku plan --chains reads back offline.

The lab PKI: a root declared in the inventory's public_roots as DigiCert
(so the clientAuth sunset applies), a dual-EKU and a serverAuth-only leaf
from it, and a private root for the accepting node's file certificate.
"""
import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import free_port, need, run, wait_port


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class LabPKI:
    def __init__(self, d: Path):
        self.d = d
        old = os.umask(0o077)
        try:
            self.root("pub-root", "/O=eku lab/CN=Fake DigiCert Root (live test)")
            self.root("corp-root", "/O=eku lab/CN=Corp Root (live test)")
            self.leaf("dual", "pub-root", "serverAuth,clientAuth")
            self.leaf("server-only", "pub-root", "serverAuth")
            self.leaf("api", "corp-root", "serverAuth,clientAuth")
        finally:
            os.umask(old)

    def root(self, name, subj):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.pem", "-subj", subj, "-days", "3650",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=self.d)

    def leaf(self, name, ca, eku):
        (self.d / f"{name}.ext").write_text(f"basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                                            f"extendedKeyUsage={eku}\nsubjectAltName=IP:127.0.0.1\n")
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/O=eku lab/CN={name}.example",
                 cwd=self.d)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                 "-CAcreateserial", "-days", "180", "-extfile", f"{name}.ext", "-out", f"{name}-leaf.pem",
                 cwd=self.d)
        # leaf then its issuer, as a server presents it
        (self.d / f"{name}.pem").write_text((self.d / f"{name}-leaf.pem").read_text() +
                                           (self.d / f"{ca}.pem").read_text())

    def p(self, name):
        return str(self.d / name)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    need("openssl")
    return LabPKI(tmp_path_factory.mktemp("planlive"))


class Lab:
    """Two TLS servers (dual, serverAuth-only), a closed port and a port
    that accepts TCP but never speaks TLS."""

    def __init__(self, pki):
        self.procs = []
        self.dual, self.server_only, self.refused, self.silent = (free_port() for _ in range(4))
        for name, port in (("dual", self.dual), ("server-only", self.server_only)):
            proc = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert",
                                     pki.p(f"{name}.pem"), "-key", pki.p(f"{name}.key"),
                                     "-cert_chain", pki.p("pub-root.pem"), "-www", "-quiet"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            self.procs.append(proc)
            wait_port(port, proc)
        # The kernel completes the TCP handshake from the backlog; nobody
        # ever answers the ClientHello.
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", self.silent))
        self.sock.listen(8)

    def stop(self):
        self.sock.close()
        for p in self.procs:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.fixture
def lab(pki):
    lab = Lab(pki)
    yield lab
    lab.stop()


def write_inventory(d, pki, lab, dead=True):
    inv = d / "inventory.yaml"
    dead_nodes = (f"  - {{ name: dead, product: generic-openssl, certificates: {{ server: '127.0.0.1:{lab.refused}' }} }}\n"
                  f"  - {{ name: silent, product: generic-openssl, certificates: {{ server: '127.0.0.1:{lab.silent}' }} }}\n"
                  if dead else "")
    dead_links = ("  - { kind: generic-mtls, client: dead, server: api }\n"
                  "  - { kind: generic-mtls, client: silent, server: api }\n" if dead else "")
    inv.write_text(f"""deployment: live lab
public_roots:
  - {{ file: {pki.p('pub-root.pem')}, ca_vendor: digicert }}
private_roots: [{pki.p('corp-root.pem')}]
nodes:
  - {{ name: gw, product: generic-openssl, certificates: {{ server: '127.0.0.1:{lab.dual}' }} }}
  - {{ name: edge, product: generic-openssl, certificates: {{ server: '127.0.0.1:{lab.server_only}' }} }}
  - {{ name: api, product: generic-openssl, certificates: {{ server: {pki.p('api.pem')} }} }}
{dead_nodes}links:
  - {{ kind: generic-mtls, client: gw, server: api }}
  - {{ kind: generic-mtls, client: edge, server: api }}
{dead_links}""")
    return inv


def plan(eku_bin, *args):
    return run([eku_bin, "plan", "--no-system", "--fail-on", "never", *map(str, args)], timeout=60)


def by_id(doc):
    return {f["id"]: f for f in doc["findings"]}


def test_scan_judges_live_certificates(eku_bin, pki, lab, tmp_path):
    """--scan: the serverAuth-only certificate breaks the mTLS link, the dual
    one is at risk of its renewal, and both say where and when they were read."""
    inv = write_inventory(tmp_path, pki, lab, dead=False)
    before = int(time.time())
    r = plan(eku_bin, "--scan", "--format", "json", inv)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    f = by_id(doc)
    edge = f["link:generic-mtls:edge->api"]
    assert edge["severity"] == "broken" and "CLIENT_EKU_MISSING" in edge["reasons"], edge
    assert f"edge's certificate was read live from 127.0.0.1:{lab.server_only} at " in edge["explanation"]
    gw = f["link:generic-mtls:gw->api"]
    assert gw["severity"] == "at_risk" and gw["breaks_on"], gw
    assert "RENEWAL_DROPS_CLIENTAUTH" in gw["reasons"] and "CERT_NOT_READ" not in gw["reasons"]
    assert f"gw's certificate was read live from 127.0.0.1:{lab.dual} at " in gw["explanation"]
    assert doc["unread_inputs"] == []
    live = {(x["node"], x["role"]): x for x in doc["live_inputs"]}
    assert set(live) == {("gw", "server"), ("edge", "server")}
    x = live[("edge", "server")]
    assert x["endpoint"] == f"127.0.0.1:{lab.server_only}" and x["result"] == "read" and x["chain_length"] == 2
    read_at = time.mktime(time.strptime(x["read_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert before - 1 <= read_at <= time.time() + 1
    # The read instant in the explanation is the one in live_inputs.
    assert x["read_at"] in edge["explanation"]

    text = plan(eku_bin, "--scan", inv)
    assert text.returncode == 0, text.stderr
    assert "\nlive inputs:\n" in text.stdout
    assert f"  edge server 127.0.0.1:{lab.server_only}: read at {x['read_at'][:11]}" in text.stdout
    assert "not read" not in text.stdout


def test_dead_endpoints_stay_unknown_within_their_timeout(eku_bin, pki, lab, tmp_path):
    """A refused port and a silent one do not abort the plan or hold up the
    others: each costs at most its own timeout and keeps CERT_NOT_READ with
    the failure class."""
    inv = write_inventory(tmp_path, pki, lab)
    t0 = time.monotonic()
    r = plan(eku_bin, "--scan", "--timeout", "2s", "--handshake-timeout", "2s", "--format", "json", inv)
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert elapsed < 6, elapsed  # one 2 s timeout, not one per endpoint, not the 30 s default
    f = by_id(json.loads(r.stdout))
    doc = json.loads(r.stdout)
    dead, silent = f["link:generic-mtls:dead->api"], f["link:generic-mtls:silent->api"]
    assert dead["severity"] == silent["severity"] == "unknown"
    assert "CERT_NOT_READ" in dead["reasons"] and "CERT_NOT_READ" in silent["reasons"]
    assert f"given as 127.0.0.1:{lab.refused} and reading it live at " in dead["explanation"]
    assert "failed (refused" in dead["explanation"]
    assert "failed (timeout" in silent["explanation"]
    assert f["node:dead"]["severity"] == "unknown" and "failed (refused" in f["node:dead"]["explanation"]
    # The live ones are judged all the same.
    assert f["link:generic-mtls:edge->api"]["severity"] == "broken"
    results = {x["node"]: x["result"] for x in doc["live_inputs"]}
    assert results == {"gw": "read", "edge": "read", "dead": "refused", "silent": "timeout"}
    assert any(u.startswith(f"dead: 127.0.0.1:{lab.refused} (refused at ") for u in doc["unread_inputs"])
    # Unknown fails like at_risk under the default --fail-on.
    text = run([eku_bin, "plan", "--no-system", "--scan", "--timeout", "2s", inv], timeout=60)
    assert text.returncode == 1, text.stderr
    assert f"  dead server 127.0.0.1:{lab.refused}: not read (refused: " in text.stdout
    assert ", 2 unknown\n" in text.stdout


def test_without_scan_nothing_is_fetched(eku_bin, pki, lab, tmp_path):
    """Without --scan (or --chains) the plan stays offline: host:port is unknown,
    as before, and the explanation says how to read it."""
    inv = write_inventory(tmp_path, pki, lab, dead=False)
    r = plan(eku_bin, "--format", "json", inv)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    f = by_id(doc)
    for fid in ("link:generic-mtls:edge->api", "link:generic-mtls:gw->api", "node:gw", "node:edge"):
        assert f[fid]["severity"] == "unknown" and "CERT_NOT_READ" in f[fid]["reasons"], f[fid]
    assert "eku plan --scan" in f["node:edge"]["explanation"]
    assert doc["live_inputs"] == []
    assert sorted(doc["unread_inputs"]) == sorted([f"gw: 127.0.0.1:{lab.dual}", f"edge: 127.0.0.1:{lab.server_only}"])
    text = plan(eku_bin, inv).stdout
    assert "not read offline (give --scan to read them live, or --chains DIR):" in text
    assert "live inputs:" not in text


def test_save_chains_then_plan_offline(eku_bin, pki, lab, tmp_path):
    """eku scan --save-chains writes <node>-<role>.pem (0644) that eku plan
    --chains judges after the peers are gone, citing the scan's read instant."""
    inv = write_inventory(tmp_path, pki, lab)
    chains = tmp_path / "chains"
    r = run([eku_bin, "scan", "--no-system", "--no-progress", "--format", "json", "--timeout", "2s",
             "--handshake-timeout", "2s", "--inventory", str(inv), "--save-chains", str(chains)], timeout=60)
    assert r.returncode == 3, r.stderr  # the dead ones failed
    assert "dead server 127.0.0.1:" in r.stderr and "not saved" in r.stderr
    assert sorted(p.name for p in chains.iterdir()) == ["edge-server.pem", "gw-server.pem"]
    saved = (chains / "edge-server.pem").read_text()
    assert (chains / "edge-server.pem").stat().st_mode & 0o777 == 0o644
    assert f"# endpoint: 127.0.0.1:{lab.server_only}\n" in saved and saved.count("BEGIN CERTIFICATE") == 2
    read_at = next(l for l in saved.splitlines() if l.startswith("# read_at: ")).split(": ")[1]
    lab.stop()  # offline from here on

    out = plan(eku_bin, "--chains", chains, "--format", "json", inv)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    f = by_id(doc)
    edge = f["link:generic-mtls:edge->api"]
    assert edge["severity"] == "broken" and "CLIENT_EKU_MISSING" in edge["reasons"]
    assert (f"edge's certificate was read live from 127.0.0.1:{lab.server_only} at {read_at} "
            f"(via {chains}/edge-server.pem)") in edge["explanation"]
    assert f["link:generic-mtls:gw->api"]["severity"] == "at_risk"
    dead = f["link:generic-mtls:dead->api"]
    assert dead["severity"] == "unknown" and "reading its saved chain failed (file: " in dead["explanation"]
    assert "no saved chain" in dead["explanation"]


def test_save_chains_refuses_symlinks(eku_bin, pki, lab, tmp_path):
    """A symlink where a chain file goes is left alone, and so is its target."""
    inv = write_inventory(tmp_path, pki, lab, dead=False)
    chains = tmp_path / "chains"
    chains.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (chains / "edge-server.pem").symlink_to(victim)
    r = run([eku_bin, "scan", "--no-system", "--no-progress", "--inventory", str(inv), "--save-chains",
             str(chains)], timeout=60)
    assert r.returncode == 3
    assert "edge-server.pem: not a regular file; refusing to replace it" in r.stderr
    assert victim.read_text() == "keep me\n" and (chains / "edge-server.pem").is_symlink()
    assert (chains / "gw-server.pem").is_file()
    assert [p.name for p in chains.iterdir() if ".pem." in p.name] == []  # no temporary left behind


def test_chains_from_another_endpoint_are_refused(eku_bin, pki, lab, tmp_path):
    """A saved file whose endpoint is not the inventory's is not judged as it."""
    inv = write_inventory(tmp_path, pki, lab, dead=False)
    chains = tmp_path / "chains"
    assert run([eku_bin, "scan", "--no-system", "--no-progress", "--inventory", str(inv), "--save-chains",
                str(chains)], timeout=60).returncode == 0
    text = inv.read_text().replace(f"127.0.0.1:{lab.server_only}", "127.0.0.1:1")
    inv.write_text(text)
    doc = json.loads(plan(eku_bin, "--chains", chains, "--format", "json", inv).stdout)
    edge = by_id(doc)["link:generic-mtls:edge->api"]
    assert edge["severity"] == "unknown"
    assert f"was saved from 127.0.0.1:{lab.server_only}, not 127.0.0.1:1" in edge["explanation"]


def test_scan_option_errors(eku_bin, pki, lab, tmp_path):
    inv = write_inventory(tmp_path, pki, lab, dead=False)
    r = plan(eku_bin, "--scan", "--chains", tmp_path, inv)
    assert r.returncode == 2 and "give one of them" in r.stderr
    r = plan(eku_bin, "--timeout", "2s", inv)
    assert r.returncode == 2 and "add --scan" in r.stderr
    r = plan(eku_bin, "--scan", "--timeout", "soon", inv)
    assert r.returncode == 2 and "--timeout soon" in r.stderr
