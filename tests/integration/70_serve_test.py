"""eku serve without Prometheus: a watched file swapped from a dual-EKU to a
serverAuth-only certificate gives clientauth_dropped (log line, metrics,
eku history); kill -9 then restart keeps the history and still sees a swap
made while it was down; SIGHUP with a bad config keeps serving the old one;
the store unavailable keeps /metrics serving from memory with the error in
/healthz, and writing resumes; /probe in the blackbox_exporter style; the
admin listener's protections; a plan inventory source and its HTML report;
config errors all at once with file:line:column.

Certificates come from the LabPKI of 52_plan_live_test.py (a root declared
public as DigiCert in inventories, dual and serverAuth-only leaves).
"""
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import free_port, need, run, wait_port
from serve_helpers import Serve, lab_pki_module, sample, wait_until

plan52 = lab_pki_module()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    need("openssl")
    return plan52.LabPKI(tmp_path_factory.mktemp("serve70"))


def files_config(d, interval="300ms"):
    return f"""data_dir: {d}/data
sources:
  - name: certs
    interval: {interval}
    files: [{d}/watched.pem]
"""


def dropped(s):
    return sample(s.metrics(), "eku_events_total", source="certs", type="clientauth_dropped")


def test_config_errors_all_at_once(eku_bin, tmp_path):
    conf = tmp_path / "bad.yaml"
    conf.write_text("listen: 0.0.0.0:9860\n"
                    "data_dri: x\n"
                    "sources:\n"
                    "  - name: a\n"
                    "    interval: soon\n"
                    "    files: [x.pem]\n"
                    "  - name: a\n"
                    "    targets: ['h:99999']\n")
    r = run([eku_bin, "serve", "--check", str(conf)])
    assert r.returncode == 2
    err = r.stderr
    assert f"{conf}:2:1: unknown key 'data_dri' in the configuration; did you mean 'data_dir'?" in err
    assert f"{conf}:5:15: 'interval': 'soon' is not a duration" in err
    assert "target 'h:99999': '99999': not a port number" in err
    assert f"{conf}:7:5: source name 'a' is used twice" in err
    assert f"{conf}:1:9: 'listen': '0.0.0.0:9860' is not a loopback address" in err
    assert "data_dir: is required" in err
    assert "6 error(s)" in err
    # and serve itself refuses to start with the same messages
    r2 = run([eku_bin, "serve", str(conf)])
    assert r2.returncode == 2 and "6 error(s)" in r2.stderr


def test_unreadable_config_named_once(eku_bin, tmp_path):
    """The diagnostic's position already names the file: the reason after it
    must not repeat it ("x.yaml: x.yaml: cannot open")."""
    fifo = tmp_path / "serve.yaml"
    os.mkfifo(fifo)
    for cmd, path, why in ((["serve", "--check"], tmp_path / "nope.yaml", "cannot open"),
                           (["serve"], tmp_path / "nope.yaml", "cannot open"),
                           (["history"], tmp_path / "nope.yaml", "cannot open"),
                           (["serve", "--check"], fifo, "is a FIFO, not a regular file")):
        r = run([eku_bin, *cmd, str(path)], timeout=10)
        assert r.returncode == 2, (cmd, r.stderr)
        first = r.stderr.splitlines()[0]
        assert first.startswith(f"eku {cmd[0]}: error: {path}: {why}"), (cmd, first)
        assert first.count(str(path)) == 1, (cmd, first)


def test_history_unreachable_database_is_a_network_failure(eku_bin, tmp_path):
    """README's exit codes: 3 for a network failure (2 is kept for input
    errors such as a data_dir with no history, asserted below)."""
    conf = tmp_path / "pg.yaml"
    conf.write_text(f"database: postgresql://eku@127.0.0.1:{free_port()}/eku\n"
                    "sources:\n  - name: a\n    files: [x.pem]\n")
    r = run([eku_bin, "history", str(conf)], timeout=30)
    assert r.returncode == 3, r.stderr
    assert "eku history: error: history database" in r.stderr or "libpq" in r.stderr, r.stderr
    assert "has eku serve run" not in r.stderr


def test_clientauth_dropped_on_file_swap(eku_bin, pki, tmp_path):
    shutil.copy(pki.p("dual.pem"), tmp_path / "watched.pem")
    s = Serve(eku_bin, tmp_path, files_config(tmp_path))
    try:
        wait_until(lambda: sample(s.metrics(), "eku_cert_clientauth", source="certs") == 1.0,
                   what="the dual certificate observed")
        assert dropped(s) == 0.0   # exported at 0 before anything happened
        shutil.copy(pki.p("server-only.pem"), tmp_path / "watched.pem")
        wait_until(lambda: dropped(s) == 1.0, what="clientauth_dropped counted")
        m = s.metrics()
        assert sample(m, "eku_cert_clientauth", source="certs", target=f"{tmp_path}/watched.pem") == 0.0
        assert sample(m, "eku_events_total", source="certs", type="cert_changed") == 1.0
        assert sample(m, "eku_cert_info", source="certs", eku_class="server_only") == 1.0
        assert sample(m, "eku_source_success", source="certs") == 1.0
        doc = s.history("--format", "json")
        ev = [e for e in doc["events"] if e["type"] == "clientauth_dropped"]
        assert len(ev) == 1 and ev[0]["target"] == f"{tmp_path}/watched.pem"
        assert "server_client -> server_only" in ev[0]["detail"]
        obs = [o for o in doc["observations"] if o["target"] == f"{tmp_path}/watched.pem"]
        assert [o["eku_class"] for o in obs] == ["server_client", "server_only"]
        assert obs[0]["clientauth"] is True and obs[1]["clientauth"] is False
        assert obs[0]["first_seen"] <= obs[0]["last_seen"] <= obs[1]["first_seen"]
        assert s.history("--format", "json", "--target", "nowhere") == \
            {"schema": "eku/1", "since": None, "observations": [], "events": []}
        assert len(s.history("--format", "json", "--source", "certs", "--target",
                             f"{tmp_path}/watched.pem")["observations"]) == 2
        r = run([eku_bin, "history", "--data-dir", str(tmp_path / "data"), "--format", "json"])
        assert r.returncode == 0 and len(json.loads(r.stdout)["events"]) == 2, r.stderr
        # no history there: an input error (README: 2), not a finding (1)
        r = run([eku_bin, "history", "--data-dir", str(tmp_path / "nothing-here")])
        assert r.returncode == 2 and "has eku serve run with this data_dir yet?" in r.stderr
        r = run([eku_bin, "history", str(s.conf), "--since", "yesterday"])
        assert r.returncode == 2 and "--since 'yesterday': give an age" in r.stderr
        text = s.history("--since", "1h")
        assert "event clientauth_dropped" in text
        assert s.history("--since", "2099-01-01") .strip() == "nothing stored in that period"
    finally:
        log = s.stop()
    assert 'event=clientauth_dropped source="certs"' in log
    assert "event=stop signal=SIGTERM" in log and s.proc.returncode == 0
    r = run(["sqlite3", str(tmp_path / "data" / "history.sqlite"), "PRAGMA integrity_check;"])
    assert r.stdout.strip() == "ok", r


def test_kill9_keeps_history_and_sees_swap_made_while_down(eku_bin, pki, tmp_path):
    shutil.copy(pki.p("dual.pem"), tmp_path / "watched.pem")
    s = Serve(eku_bin, tmp_path, files_config(tmp_path, "100ms"))
    try:
        wait_until(lambda: sample(s.metrics(), "eku_source_rounds_total", source="certs") >= 5,
                   what="a few rounds written")
        s.kill9()   # mid-round or mid-write: every committed round must survive
        before = s.history("--format", "json")
        assert len(before["observations"]) == 1
        shutil.copy(pki.p("server-only.pem"), tmp_path / "watched.pem")
        s.start()
        wait_until(lambda: dropped(s) == 1.0, what="the swap made while down detected")
        doc = s.history("--format", "json")
        assert [o["eku_class"] for o in doc["observations"]] == ["server_client", "server_only"]
        assert doc["observations"][0]["first_seen"] == before["observations"][0]["first_seen"]
        r = run(["sqlite3", str(tmp_path / "data" / "history.sqlite"), "PRAGMA integrity_check;"])
        assert r.stdout.strip() == "ok", r
    finally:
        s.stop()


def test_sighup_bad_config_keeps_serving(eku_bin, pki, tmp_path):
    shutil.copy(pki.p("dual.pem"), tmp_path / "watched.pem")
    s = Serve(eku_bin, tmp_path, files_config(tmp_path))
    try:
        wait_until(lambda: sample(s.metrics(), "eku_cert_clientauth", source="certs") == 1.0)
        s.write("data_dir: x\nsources: [ { name: broken, interval: never } ]\n")
        s.signal(signal.SIGHUP)
        wait_until(lambda: sample(s.metrics(), "eku_config_last_reload_successful") == 0.0,
                   what="the failed reload")
        m = s.metrics()
        assert sample(m, "eku_cert_clientauth", source="certs") == 1.0   # the old config serves on
        status, body = s.get("/healthz")
        assert "reload failed, still serving version 1" in body and "'never' is not a duration" in body
        rounds = sample(m, "eku_source_rounds_total", source="certs")
        wait_until(lambda: sample(s.metrics(), "eku_source_rounds_total", source="certs") > rounds + 2,
                   what="rounds going on after the bad reload")
        # a good config: the new source appears, the kept one keeps its counters
        shutil.copy(pki.p("api.pem"), tmp_path / "api.pem")
        s.write(files_config(tmp_path) + f"  - name: api\n    interval: 300ms\n    files: [{tmp_path}/api.pem]\n")
        s.signal(signal.SIGHUP)
        wait_until(lambda: sample(s.metrics(), "eku_cert_clientauth", source="api") == 1.0,
                   what="the new source after a good reload")
        assert sample(s.metrics(), "eku_config_last_reload_successful") == 1.0
    finally:
        log = s.stop()
    assert "event=reload result=failed" in log and "event=reload result=ok version=2" in log


def test_store_unavailable_serves_from_memory_then_resumes(eku_bin, pki, tmp_path):
    shutil.copy(pki.p("dual.pem"), tmp_path / "watched.pem")
    (tmp_path / "data").write_text("a file where the data folder should be\n")
    s = Serve(eku_bin, tmp_path, files_config(tmp_path))
    try:
        wait_until(lambda: sample(s.metrics(), "eku_cert_clientauth", source="certs") == 1.0,
                   what="metrics served from memory")
        assert sample(s.metrics(), "eku_store_up") == 0.0
        status, body = s.get("/healthz")
        assert status == 503 and body.startswith("store: ") and "served from memory" in body, body
        (tmp_path / "data").unlink()
        wait_until(lambda: s.get("/healthz") == (200, "ok\n"), what="writing resumed")
        assert sample(s.metrics(), "eku_store_up") == 1.0
        assert len(s.history("--format", "json")["observations"]) == 1
    finally:
        log = s.stop()
    assert "store_error=" in log


def test_admin_protections(eku_bin, pki, tmp_path):
    shutil.copy(pki.p("dual.pem"), tmp_path / "watched.pem")
    s = Serve(eku_bin, tmp_path, files_config(tmp_path))
    try:
        assert s.get("/metrics", headers={"Host": "evil.example"})[0] == 421
        assert s.get("/metrics", headers={"Host": f"localhost:{s.port}"})[0] == 200
        assert s.get("/-/reload")[0] == 405
        assert s.get("/-/reload", method="POST")[0] == 403
        assert s.get("/-/reload", method="POST", headers={"X-Eku-Admin": "1"})[0] == 202
        assert s.get("/nothing")[0] == 404
        status, body = s.get("/")
        assert status == 404 and "inventory:" in body   # no plan source
    finally:
        s.stop()


def test_probe_blackbox_style(eku_bin, pki, tmp_path):
    port = free_port()
    peer = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", pki.p("dual.pem"),
                             "-key", pki.p("dual.key"), "-www", "-quiet"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.copy(pki.p("dual.pem"), tmp_path / "watched.pem")
    s = Serve(eku_bin, tmp_path, files_config(tmp_path, "1h"))
    try:
        wait_port(port, peer)
        from serve_helpers import parse_metrics
        status, text = s.get(f"/probe?target=127.0.0.1:{port}")
        assert status == 200, text
        m = parse_metrics(text)
        assert sample(m, "eku_probe_success") == 1.0
        assert sample(m, "eku_cert_clientauth", target=f"127.0.0.1:{port}") == 1.0
        assert sample(m, "eku_cert_info", eku_class="server_client") == 1.0
        dead = free_port()
        status, text = s.get(f"/probe?target=127.0.0.1:{dead}&protocol=tls",
                             headers={"X-Prometheus-Scrape-Timeout-Seconds": "3"})
        m = parse_metrics(text)
        assert sample(m, "eku_probe_success") == 0.0
        assert sample(m, "eku_probe_failure_info", failure="refused") == 1.0
        assert s.get("/probe")[0] == 400
        status, body = s.get("/probe?target=127.0.0.1:99999")
        assert status == 400 and "not a port number" in body
    finally:
        s.stop()
        peer.terminate()
        peer.wait(5)


def test_inventory_source_findings_and_report(eku_bin, pki, tmp_path):
    lab = plan52.Lab(pki)
    inv = plan52.write_inventory(tmp_path, pki, lab, dead=False)
    s = Serve(eku_bin, tmp_path, f"""data_dir: {tmp_path}/data
sources:
  - name: site
    interval: 1s
    timeout: 3s
    inventory: {inv}
""")
    try:
        wait_until(lambda: sample(s.metrics(), "eku_finding_severity", source="site",
                                  finding="link:generic-mtls:edge->api") is not None, what="a plan round")
        m = s.metrics()
        assert sample(m, "eku_finding_severity", finding="link:generic-mtls:edge->api", kind="link") == 4.0
        assert sample(m, "eku_finding_severity", finding="link:generic-mtls:gw->api") == 3.0
        assert sample(m, "eku_link_breaks_on_seconds", finding="link:generic-mtls:gw->api") > time.time()
        assert sample(m, "eku_cert_clientauth", source="site", target=f"127.0.0.1:{lab.server_only}") == 0.0
        status, html = s.get("/")
        assert status == 200 and html.lstrip().lower().startswith("<!doctype html") and "edge" in html
        status, latest = s.get("/api/v1/latest")
        assert status == 200 and '"source": "site"' in latest
        status, doc = s.get("/api/v1/plan?source=site")
        assert status == 200 and json.loads(doc)["schema"] == "eku/1"
        assert s.get("/api/v1/plan?source=nope")[0] == 404
        # gw now serves the serverAuth-only certificate: its link goes at_risk -> broken
        inv.write_text(inv.read_text().replace(f"'127.0.0.1:{lab.dual}'", f"'127.0.0.1:{lab.server_only}'"))
        wait_until(lambda: sample(s.metrics(), "eku_events_total", source="site", type="severity_changed"),
                   what="severity_changed counted")
        assert sample(s.metrics(), "eku_finding_severity", finding="link:generic-mtls:gw->api") == 4.0
        ev = [e for e in s.history("--format", "json")["events"] if e["type"] == "severity_changed"]
        assert {"target": "link:generic-mtls:gw->api", "old": "at_risk", "new": "broken"}.items() <= \
            next(e for e in ev if e["target"] == "link:generic-mtls:gw->api").items()
    finally:
        s.stop()
        lab.stop()


def test_dead_target_delays_only_its_source(eku_bin, pki, tmp_path):
    """A target that accepts TCP and never answers holds its own source's
    round for its timeout; the other source keeps its interval."""
    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    shutil.copy(pki.p("dual.pem"), tmp_path / "watched.pem")
    s = Serve(eku_bin, tmp_path, files_config(tmp_path, "200ms") + f"""  - name: dead
    interval: 200ms
    timeout: 4s
    targets: ['127.0.0.1:{silent.getsockname()[1]}']
""")
    try:
        t0 = time.time()
        wait_until(lambda: sample(s.metrics(), "eku_source_rounds_total", source="certs") >= 6,
                   timeout=3.5, what="the files source at its interval while the dead one waits")
        assert time.time() - t0 < 3.5
        assert sample(s.metrics(), "eku_source_rounds_total", source="dead") == 0.0
        wait_until(lambda: sample(s.metrics(), "eku_source_rounds_total", source="dead") == 1.0, timeout=10,
                   what="the dead source's round ending at its timeout")
        assert sample(s.metrics(), "eku_source_success", source="dead") == 0.0
        status, body = s.get("/api/v1/latest")
        assert '"failure": "timeout"' in body, body[:2000]
    finally:
        log = s.stop()
        silent.close()
    assert 'input=failed source="dead"' in log and "failure=timeout" in log


def test_more_sources_than_round_slots_all_run(eku_bin, pki, tmp_path):
    """40 sources whose rounds each last a 1 s timeout, at most 32 rounds at
    once: 8 wait in line and start as slots free; every source gets rounds."""
    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    port = silent.getsockname()[1]
    body = f"data_dir: {tmp_path}/data\nsources:\n" + "".join(
        f"  - {{ name: s{i:02d}, interval: 200ms, timeout: 1s, targets: ['127.0.0.1:{port}'] }}\n"
        for i in range(40))
    s = Serve(eku_bin, tmp_path, body)
    try:
        def ran(n):
            m = s.metrics()
            return all((sample(m, "eku_source_rounds_total", source=f"s{i:02d}") or 0) >= n for i in range(40))
        wait_until(lambda: ran(2), timeout=20, what="two rounds of each of the 40 sources")
    finally:
        s.stop()
        silent.close()


def test_dashboard_and_rules_name_exported_metrics(eku_bin, pki, tmp_path):
    """Every eku_* metric the Grafana dashboard and the alerting rules use is
    one eku serve exports (a # TYPE line), so neither drifts silently."""
    import re
    from conftest import ROOT
    shutil.copy(pki.p("dual.pem"), tmp_path / "watched.pem")
    s = Serve(eku_bin, tmp_path, files_config(tmp_path))
    try:
        status, text = s.get("/metrics")
    finally:
        s.stop()
    exported = set(re.findall(r"^# TYPE (eku_\w+) ", text, re.M)) | {"eku_probe_success"}
    dash = json.loads((ROOT / "contrib" / "grafana" / "eku.json").read_text())
    used = set()
    for p in dash["panels"]:
        for t in p["targets"]:
            used |= set(re.findall(r"\beku_\w+", t["expr"]))
    rules = (ROOT / "contrib" / "prometheus" / "eku-rules.yml").read_text()
    used |= set(re.findall(r"\beku_[a-z_]+(?=[{ )\-=<>])", rules))
    assert used and used <= exported, used - exported
