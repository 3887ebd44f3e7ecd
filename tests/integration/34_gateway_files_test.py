"""eku gateway and the files its config names (issue 9, items 7 and 12).

A FIFO (or any non-regular file) given as key, certificate, trust or CRL is
refused at once with a message naming the file and the key, by --check and by
a reload, which keeps the running config serving. A world-writable config, a
key in a world-writable folder, and an entry whose cert and key are both
missing are reported (all problems at once).
"""
import os
import signal
import socket
import time

import pytest

from conftest import free_port, gateway_helpers, need, run

gw30 = gateway_helpers()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return gw30.make_pki(tmp_path_factory.mktemp("filespki"))


@pytest.fixture(scope="module")
def upstream():
    u = gw30.Upstream()
    yield u
    u.close()


def config(pki, admin=None, port=None, up=9):
    return gw30.config_yaml(pki, admin or free_port(),
                            [gw30.route_yaml("r", port or free_port(), up, "enforce")])


# key in the config, the text it replaces, and the word the message names it by
FIFO_CASES = [
    ("key", "{pki}/gw-server.key", "key"),
    ("cert", "{pki}/gw-server.pem", "cert"),
    ("trust", "{pki}/ca.pem]", "trust"),
    ("crl", None, "crl"),
]


@pytest.mark.parametrize("key,old,word", FIFO_CASES, ids=[c[0] for c in FIFO_CASES])
def test_check_refuses_fifo_at_once(eku_bin, pki, tmp_path, key, old, word):
    fifo = tmp_path / f"{key}.fifo"
    os.mkfifo(fifo)
    text = config(pki)
    if old is None:
        text = text.replace("routes:\n", f"crl: {fifo}\nroutes:\n", 1)
    else:
        old = old.format(pki=pki)
        text = text.replace(old, str(fifo) + ("]" if old.endswith("]") else ""), 1)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(text)
    t0 = time.monotonic()
    r = run([eku_bin, "gateway", "--check", str(cfg)], timeout=10)
    assert time.monotonic() - t0 < 1.0
    assert r.returncode == 2, r.stderr
    assert f"{word} {fifo}: is a FIFO, not a regular file" in r.stderr, r.stderr
    assert f"{cfg}:" in r.stderr                        # with the key's position


def test_check_refuses_fifo_config(eku_bin, tmp_path):
    fifo = tmp_path / "gateway.yaml"
    os.mkfifo(fifo)
    r = run([eku_bin, "gateway", "--check", str(fifo)], timeout=10)
    assert r.returncode == 2 and "is a FIFO, not a regular file" in r.stderr


def test_missing_config_named_once(eku_bin, tmp_path):
    """file: reason, with the file named once (the position already names it)."""
    path = tmp_path / "nope.yaml"
    for cmd in (["gateway", "--check"], ["gateway"]):
        r = run([eku_bin, *cmd, str(path)], timeout=10)
        assert r.returncode == 2, r.stderr
        first = r.stderr.splitlines()[0]
        assert first.startswith(f"eku gateway: error: {path}: cannot open"), first
        assert first.count(str(path)) == 1, first


def test_sighup_with_fifo_keeps_serving(eku_bin, pki, upstream, tmp_path):
    admin, port = free_port(), free_port()
    cfg = tmp_path / "gateway.yaml"
    good = config(pki, admin, port, upstream.port)
    cfg.write_text(good)
    g = gw30.Gateway(eku_bin, cfg, admin)
    try:
        fifo = tmp_path / "key.fifo"
        os.mkfifo(fifo)
        cfg.write_text(good.replace(f"{pki}/gw-server.key", str(fifo)))
        g.p.send_signal(signal.SIGHUP)
        t0 = time.monotonic()
        s = gw30.tls_client(pki, port)                  # the loop is not frozen
        s.sendall(b"ECHO")
        assert s.recv(8) == b"ECHO"
        s.close()
        assert time.monotonic() - t0 < 3.0
        for _ in range(100):
            if "event=reload result=failed" in g.logs():
                break
            time.sleep(0.05)
        assert f"key {fifo}: is a FIFO" in g.logs()
        assert g.status()["config"]["version"] == 1
        code, body = g.get("/reload", method="POST")
        assert code == 422 and "is a FIFO" in body
    finally:
        rc = g.stop()
    assert rc == 0 and "Sanitizer" not in g.p.stderr.read()   # clean exit (also under ASan)


def test_world_writable_config_and_key_folder_warn(eku_bin, pki, tmp_path):
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    open_dir.chmod(0o777)                                # not sticky: others can swap files
    key = open_dir / "gw.key"
    key.write_bytes((pki / "gw-server.key").read_bytes())
    key.chmod(0o600)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(config(pki).replace(f"{pki}/gw-server.key", str(key)))
    cfg.chmod(0o666)
    r = run([eku_bin, "gateway", "--check", str(cfg)])
    assert r.returncode == 0, r.stderr                   # warnings, not errors
    assert "config file is world-writable (mode 0666)" in r.stderr
    assert f"{key}: private key is in a world-writable folder {open_dir}" in r.stderr
    cfg.chmod(0o600)
    open_dir.chmod(0o1777)                               # sticky, like /tmp: fine
    r = run([eku_bin, "gateway", "--check", str(cfg)])
    assert r.returncode == 0 and "world-writable" not in r.stderr, r.stderr


def test_entry_missing_cert_and_key_reports_both(eku_bin, pki, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(config(pki).replace(f"{pki}/gw-server.pem", f"{tmp_path}/nope.pem")
                   .replace(f"{pki}/gw-server.key", f"{tmp_path}/nope.key"))
    r = run([eku_bin, "gateway", "--check", str(cfg)])
    assert r.returncode == 2
    assert f"cert {tmp_path}/nope.pem: cannot open" in r.stderr
    assert f"key {tmp_path}/nope.key: cannot open" in r.stderr
    assert "2 error(s)" in r.stderr
