"""eku scan --inventory: the host:port certificates of an `eku plan`
inventory are scanned and each result is labelled with the node (and role)
that names it; local certificate files are left to `eku plan`. Peers are
openssl s_server instances on 127.0.0.1.
"""
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from conftest import free_port, run

_spec = importlib.util.spec_from_file_location("scan_peers", Path(__file__).with_name("20_scan_peers_test.py"))
scan_peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scan_peers)
ScanPKI, s_server = scan_peers.ScanPKI, scan_peers.s_server


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return ScanPKI(tmp_path_factory.mktemp("scaninvpki"))


def write_inventory(d, body):
    inv = d / "inventory.yaml"
    inv.write_text("deployment: scan lab\n" + body)
    return inv


def scan_inventory(eku_bin, pki, inv, *extra):
    return run([eku_bin, "scan", "--format", "json", "--no-system", "--no-progress", "--handshake-timeout", "5s",
                "--trust", pki.p("private-root.pem"), "--inventory", str(inv), *extra])


def test_inventory_endpoints_labelled(eku_bin, pki, tmp_path):
    """Server and client host:port values are scanned once each; a shared
    endpoint carries every node that names it; a file certificate is skipped."""
    shutil.copy(pki.p("server.pem"), tmp_path / "local.pem")
    p_req, p_opt = free_port(), free_port()
    a = s_server(pki, p_req, "-tls1_3", "-Verify", "1")
    b = s_server(pki, p_opt, "-tls1_2", "-verify", "1")
    try:
        inv = write_inventory(tmp_path, f"""nodes:
  - name: expe1
    product: expressway-e
    version: X15.3.2
    certificates: {{ server: '127.0.0.1:{p_req}', client: '127.0.0.1:{p_opt}' }}
  - {{ name: partner, product: generic-openssl, certificates: {{ server: '127.0.0.1:{p_opt}' }} }}
  - {{ name: local, product: generic-openssl, certificates: {{ server: local.pem }} }}
""")
        r = scan_inventory(eku_bin, pki, inv)
    finally:
        a.stop()
        b.stop()
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)["results"]
    got = {x["target"]: (x["label"], x["client_auth"], x["error"]) for x in res}
    assert got == {
        f"127.0.0.1:{p_req}": ("expe1 server", "required", None),
        f"127.0.0.1:{p_opt}": ("expe1 client, partner server", "requested", None),
    }


def test_inventory_label_in_text_and_csv(eku_bin, pki, tmp_path):
    port = free_port()
    peer = s_server(pki, port, "-tls1_3")
    try:
        inv = write_inventory(tmp_path, f"nodes:\n  - {{ name: edge, product: generic-openssl, "
                                        f"certificates: {{ server: '127.0.0.1:{port}' }} }}\n")
        text = run([eku_bin, "scan", "--no-system", "--no-progress", "--inventory", str(inv)])
        csv = run([eku_bin, "scan", "--no-system", "--format", "csv", "--inventory", str(inv)])
    finally:
        peer.stop()
    assert text.returncode == 0, text.stderr
    assert f"127.0.0.1:{port} (edge server; 127.0.0.1:{port}, tls)" in text.stdout
    header, row = csv.stdout.splitlines()
    assert header.split(",")[-1] == "label"
    assert row.endswith(",edge server")


def test_inventory_with_problems_is_a_usage_error(eku_bin, tmp_path):
    """Inventory problems are reported as file:line:column, as eku plan does, before any scan."""
    inv = write_inventory(tmp_path, "nodes:\n  - { name: x, product: nope, certificates: { server: 'a.invalid:1' } }\n")
    r = run([eku_bin, "scan", "--no-system", "--inventory", str(inv)])
    assert r.returncode == 2
    assert f"{inv}:3:25: product: unknown value 'nope'" in r.stderr
    assert r.stdout == ""


def test_inventory_without_endpoints_warns(eku_bin, pki, tmp_path):
    shutil.copy(pki.p("server.pem"), tmp_path / "local.pem")
    inv = write_inventory(tmp_path, "nodes:\n  - { name: local, product: generic-openssl, "
                                    "certificates: { server: local.pem } }\n")
    r = run([eku_bin, "scan", "--no-system", "--format", "json", "--inventory", str(inv)])
    assert r.returncode == 0, r.stderr
    assert "no certificate is given as host:port" in r.stderr
    assert json.loads(r.stdout)["results"] == []


def test_inventory_and_targets_combine(eku_bin, pki, tmp_path):
    """Command-line targets carry no label; inventory ones do."""
    p1, p2 = free_port(), free_port()
    a = s_server(pki, p1, "-tls1_3")
    b = s_server(pki, p2, "-tls1_3")
    try:
        inv = write_inventory(tmp_path, f"nodes:\n  - {{ name: n1, product: generic-openssl, "
                                        f"certificates: {{ server: '127.0.0.1:{p1}' }} }}\n")
        r = scan_inventory(eku_bin, pki, inv, f"127.0.0.1:{p2}")
    finally:
        a.stop()
        b.stop()
    assert r.returncode == 0, r.stderr
    labels = {x["target"]: x["label"] for x in json.loads(r.stdout)["results"]}
    assert labels == {f"127.0.0.1:{p2}": None, f"127.0.0.1:{p1}": "n1 server"}
