"""A real Prometheus (Debian `prometheus`) scraping eku serve on 127.0.0.1,
queried through its HTTP API: the metrics are ingested, and the shipped
ClientAuthDropped rule (contrib/prometheus/eku-rules.yml) fires after the
test swaps an nginx endpoint's dual-EKU certificate for a serverAuth-only
one and reloads nginx. Also /probe scraped the blackbox_exporter way
(relabelling __param_target), and `promtool check rules` / `promtool test
rules` on the shipped rules.
"""
import json
import shutil
import signal
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, free_port, need, run, wait_port
from serve_helpers import Serve, lab_pki_module, wait_until

plan52 = lab_pki_module()
RULES = ROOT / "contrib" / "prometheus" / "eku-rules.yml"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    need("openssl")
    return plan52.LabPKI(tmp_path_factory.mktemp("serve71"))


class Nginx:
    def __init__(self, d: Path, cert, key):
        nginx = need("nginx")
        self.port = free_port()
        self.cert, self.key = d / "site.pem", d / "site.key"
        shutil.copy(cert, self.cert)
        shutil.copy(key, self.key)
        conf = d / "nginx.conf"
        conf.write_text(f"""
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d};
    uwsgi_temp_path {d}; scgi_temp_path {d};
    server {{
        listen 127.0.0.1:{self.port} ssl;
        ssl_certificate {self.cert};
        ssl_certificate_key {self.key};
        location / {{ return 200 "ok\\n"; }}
    }}
}}
""")
        self.proc = subprocess.Popen([nginx, "-p", str(d), "-c", str(conf), "-g", "daemon off;"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_port(self.port, self.proc)

    def swap(self, cert, key):
        """What an ACME client's deploy hook does: new files, nginx reload."""
        shutil.copy(cert, self.cert)
        shutil.copy(key, self.key)
        self.proc.send_signal(signal.SIGHUP)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class Prometheus:
    def __init__(self, d: Path, eku_port, probe_target):
        prom = need("prometheus")
        self.port = free_port()
        shutil.copy(RULES, d / "eku-rules.yml")
        (d / "prometheus.yml").write_text(f"""
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  evaluation_interval: 1s
rule_files: [eku-rules.yml]
scrape_configs:
  - job_name: eku
    static_configs: [{{ targets: ['127.0.0.1:{eku_port}'] }}]
  - job_name: eku_probe
    metrics_path: /probe
    static_configs: [{{ targets: ['{probe_target}'] }}]
    relabel_configs:
      - {{ source_labels: [__address__], target_label: __param_target }}
      - {{ source_labels: [__param_target], target_label: instance }}
      - {{ target_label: __address__, replacement: '127.0.0.1:{eku_port}' }}
""")
        self.log = open(d / "prometheus.log", "w")
        self.proc = subprocess.Popen([prom, f"--config.file={d}/prometheus.yml",
                                      f"--storage.tsdb.path={d}/tsdb",
                                      f"--web.listen-address=127.0.0.1:{self.port}"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        wait_port(self.port, self.proc, timeout=30)
        wait_until(self.ready, timeout=30, step=0.2, what="Prometheus ready")

    def ready(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def api(self, path, **params):
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=5) as r:
            doc = json.load(r)
        assert doc["status"] == "success", doc
        return doc["data"]

    def query(self, q):
        return self.api("query", query=q)["result"]

    def value(self, q):
        r = self.query(q)
        return float(r[0]["value"][1]) if r else None

    def firing(self, name):
        return [a for a in self.api("alerts")["alerts"]
                if a["labels"]["alertname"] == name and a["state"] == "firing"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)
        self.log.close()


def test_promtool_checks_and_tests_the_rules():
    promtool = need("promtool")
    r = run([promtool, "check", "rules", str(RULES)])
    assert r.returncode == 0 and "SUCCESS: 4 rules found" in r.stdout, r.stdout + r.stderr
    r = run([promtool, "test", "rules", str(RULES.with_name("eku-rules.test.yml"))])
    assert r.returncode == 0 and "SUCCESS" in r.stdout, r.stdout + r.stderr


def test_clientauth_dropped_fires_in_prometheus(eku_bin, pki, tmp_path):
    web = Nginx(tmp_path, pki.p("dual.pem"), pki.p("dual.key"))
    target = f"127.0.0.1:{web.port}"
    s = Serve(eku_bin, tmp_path, f"""data_dir: {tmp_path}/data
sources:
  - name: web
    interval: 500ms
    timeout: 2s
    targets: ['{target}']
""")
    prom = None
    try:
        prom = Prometheus(tmp_path, s.port, target)
        wait_until(lambda: prom.value(f'eku_cert_clientauth{{source="web",target="{target}"}}') == 1.0,
                   timeout=30, step=0.5, what="the dual certificate ingested by Prometheus")
        assert prom.value('eku_source_success{source="web"}') == 1.0
        assert prom.value('eku_build_info') == 1.0
        assert prom.query('eku_cert_info{source="web",eku_class="server_client"}')
        # the /probe job, relabelled as blackbox_exporter's
        wait_until(lambda: prom.value(f'eku_probe_success{{job="eku_probe",instance="{target}"}}') == 1.0,
                   timeout=20, step=0.5, what="the /probe job scraped")
        assert not prom.firing("ClientAuthDropped")

        web.swap(pki.p("server-only.pem"), pki.p("server-only.key"))
        alerts = wait_until(lambda: prom.firing("ClientAuthDropped"), timeout=30, step=0.5,
                            what="ClientAuthDropped firing")
        assert alerts[0]["labels"]["source"] == "web" and alerts[0]["labels"]["severity"] == "critical"
        assert prom.value(f'eku_cert_clientauth{{source="web",target="{target}"}}') == 0.0
        assert prom.value('eku_events_total{source="web",type="clientauth_dropped"}') == 1.0
        doc = s.history("--format", "json")
        assert [e["type"] for e in doc["events"]].count("clientauth_dropped") == 1
        assert doc["events"][-1]["target"] == target
    finally:
        if prom is not None:
            prom.stop()
        s.stop()
        web.stop()


def test_prometheus_through_kill9_restart_and_bad_reload(eku_bin, pki, tmp_path):
    """Prometheus keeps ingesting across a kill -9 and restart (same port,
    history kept, up back to 1) and across a SIGHUP with a bad config (still
    scraped, eku_config_last_reload_successful 0 ingested)."""
    shutil.copy(pki.p("dual.pem"), tmp_path / "watched.pem")
    body = f"""data_dir: {tmp_path}/data
sources:
  - name: files
    interval: 300ms
    files: [{tmp_path}/watched.pem]
"""
    s = Serve(eku_bin, tmp_path, body)
    prom = None
    try:
        prom = Prometheus(tmp_path, s.port, "127.0.0.1:1")
        wait_until(lambda: prom.value('eku_cert_clientauth{source="files"}') == 1.0, timeout=30, step=0.5,
                   what="ingested")
        s.kill9()
        wait_until(lambda: prom.value(f'up{{job="eku",instance="127.0.0.1:{s.port}"}}') == 0.0, timeout=30,
                   step=0.5, what="Prometheus seeing eku down")
        shutil.copy(pki.p("server-only.pem"), tmp_path / "watched.pem")
        s.start()
        wait_until(lambda: prom.value('eku_events_total{source="files",type="clientauth_dropped"}') == 1.0,
                   timeout=30, step=0.5, what="the drop made while down, ingested after the restart")
        assert prom.value(f'up{{job="eku",instance="127.0.0.1:{s.port}"}}') == 1.0
        assert [o["eku_class"] for o in s.history("--format", "json")["observations"]] == \
            ["server_client", "server_only"]
        s.write("data_dir: x\nsources: [ { name: broken, files: [] } ]\n")
        s.signal(signal.SIGHUP)
        wait_until(lambda: prom.value("eku_config_last_reload_successful") == 0.0, timeout=30, step=0.5,
                   what="the failed reload ingested")
        assert prom.value('eku_cert_clientauth{source="files"}') == 0.0   # the old config serves on
    finally:
        if prom is not None:
            prom.stop()
        s.stop()
