"""Helpers of the 7x_serve scenarios: a LabPKI (from 52_plan_live_test.py), an
eku serve process on 127.0.0.1, HTTP fetches and Prometheus text parsing."""
import http.client
import importlib.util
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from conftest import free_port, run, wait_port


def lab_pki_module():
    spec = importlib.util.spec_from_file_location(
        "plan52", Path(__file__).with_name("52_plan_live_test.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def wait_until(fn, timeout=20.0, step=0.1, what="condition"):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        last = fn()
        if last:
            return last
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def fetch(port, path, method="GET", headers=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        c.close()


_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """[(name, {labels}, value)] of a Prometheus text exposition."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = dict(_LABEL.findall(m.group(3) or ""))
        out.append((m.group(1), labels, float(m.group(4))))
    return out


def sample(samples, name, **labels):
    for n, l, v in samples:
        if n == name and all(l.get(k) == str(x) for k, x in labels.items()):
            return v
    return None


class Serve:
    """eku serve CONFIG on a free port; stderr goes to a log file."""

    def __init__(self, eku_bin, d: Path, body: str, port=None, start=True):
        self.eku_bin, self.d = eku_bin, d
        self.port = port or free_port()
        self.conf = d / "serve.yaml"
        self.log = d / "serve.log"
        self.write(body)
        self.proc = None
        if start:
            self.start()

    def write(self, body):
        self.conf.write_text(f"listen: 127.0.0.1:{self.port}\nsystem_bundle: ''\n{body}")

    def start(self):
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen([self.eku_bin, "serve", str(self.conf)], stdout=self.logf,
                                     stderr=self.logf, stdin=subprocess.DEVNULL)
        wait_port(self.port, self.proc)

    def get(self, path, **kw):
        return fetch(self.port, path, **kw)

    def metrics(self):
        status, text = self.get("/metrics")
        assert status == 200, text
        return parse_metrics(text)

    def history(self, *args):
        r = run([self.eku_bin, "history", str(self.conf), *args], timeout=30)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout) if "json" in args else r.stdout

    def signal(self, sig):
        self.proc.send_signal(sig)

    def kill9(self):
        self.proc.kill()
        self.proc.wait(10)
        self.logf.close()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self.logf.close()
        return self.log.read_text() if self.log.exists() else ""


PG_BIN = Path(os.environ.get("EKU_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PgCluster:
    """A throw-away PostgreSQL on 127.0.0.1 (trust auth), run as the postgres
    user; skips the test with the reason when that cannot be done."""

    def __init__(self):
        import pwd
        import shutil
        import tempfile
        import pytest
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"{PG_BIN}/initdb missing (apt-get install postgresql)")
        if os.geteuid() != 0 or shutil.which("runuser") is None:
            pytest.skip("the PostgreSQL cluster runs as the postgres user via runuser (needs root)")
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("no postgres user (apt-get install postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="eku-serve-pg-"))
        shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"
        r = self.as_postgres(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres")
        if r.returncode != 0:
            pytest.skip(f"initdb failed: {r.stderr[-400:]}")
        self.port = free_port()
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                    f"unix_socket_directories = '{self.dir}'\n")
        self.start()
        r = self.as_postgres(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.port, "eku")
        assert r.returncode == 0, r.stderr
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/eku"

    def as_postgres(self, *args):
        return subprocess.run(["runuser", "-u", "postgres", "--", *map(str, args)], capture_output=True,
                              text=True, timeout=120)

    def start(self):
        r = self.as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "pg.log", "-w", "-t", "30",
                             "start")
        assert r.returncode == 0, r.stderr

    def stop(self, mode="fast"):
        self.as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def sql(self, query):
        r = self.as_postgres(PG_BIN / "psql", "-h", "127.0.0.1", "-p", self.port, "-d", "eku", "-At", "-c", query)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    def destroy(self):
        import shutil
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
