"""Two eku serve instances (one per site) writing one PostgreSQL history
(libpq), started by the test: each sees its own swap, either instance's
`eku history` shows both sites. Then the database goes away: /metrics keeps
serving from memory, /healthz and the log carry the error, and writing
resumes when PostgreSQL is back (the swap made meanwhile is stored).
"""
import shutil
import time

import pytest

from conftest import need
from serve_helpers import PgCluster, Serve, lab_pki_module, sample, wait_until

plan52 = lab_pki_module()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    need("openssl")
    return plan52.LabPKI(tmp_path_factory.mktemp("serve72"))


@pytest.fixture
def pg():
    c = PgCluster()
    yield c
    c.destroy()


def site(eku_bin, pki, d, name, url):
    d.mkdir()
    shutil.copy(pki.p("dual.pem"), d / "watched.pem")
    return Serve(eku_bin, d, f"""database: {url}
sources:
  - name: {name}
    interval: 300ms
    files: [{d}/watched.pem]
""")


def test_two_instances_share_one_history(eku_bin, pki, pg, tmp_path):
    a = site(eku_bin, pki, tmp_path / "a", "site-a", pg.url)
    b = site(eku_bin, pki, tmp_path / "b", "site-b", pg.url)
    try:
        for s, name in ((a, "site-a"), (b, "site-b")):
            wait_until(lambda: sample(s.metrics(), "eku_cert_clientauth", source=name) == 1.0,
                       what=f"{name} observed")
        shutil.copy(pki.p("server-only.pem"), tmp_path / "a" / "watched.pem")
        wait_until(lambda: sample(a.metrics(), "eku_events_total", source="site-a",
                                  type="clientauth_dropped") == 1.0, what="site-a's drop")
        wait_until(lambda: int(pg.sql("SELECT count(*) FROM events WHERE type = 'clientauth_dropped'")) == 1,
                   what="the drop stored")
        doc = b.history("--format", "json")   # the other site's instance reads both
        assert {o["source"] for o in doc["observations"]} == {"site-a", "site-b"}
        assert [(e["source"], e["type"]) for e in doc["events"] if e["type"] == "clientauth_dropped"] == \
            [("site-a", "clientauth_dropped")]
        # both keep writing rounds concurrently
        def counts():
            rows = pg.sql("SELECT source, count(*) FROM rounds GROUP BY source").splitlines()
            c = {k: int(v) for k, v in (r.split("|") for r in rows)}
            return c if min(c.values()) >= 5 and len(c) == 2 else None
        wait_until(counts, what="five rounds of each instance stored")
    finally:
        a.stop()
        b.stop()


def test_database_down_serves_from_memory_then_resumes(eku_bin, pki, pg, tmp_path):
    s = site(eku_bin, pki, tmp_path / "a", "site-a", pg.url)
    try:
        wait_until(lambda: sample(s.metrics(), "eku_cert_clientauth", source="site-a") == 1.0)
        pg.stop()
        wait_until(lambda: s.get("/healthz")[0] == 503, what="the store error in /healthz")
        status, body = s.get("/healthz")
        assert body.startswith("store: history") and "served from memory" in body, body
        shutil.copy(pki.p("server-only.pem"), tmp_path / "a" / "watched.pem")
        wait_until(lambda: sample(s.metrics(), "eku_cert_clientauth", source="site-a") == 0.0,
                   what="metrics from memory while the database is down")
        assert sample(s.metrics(), "eku_store_up") == 0.0
        assert sample(s.metrics(), "eku_events_total", source="site-a", type="clientauth_dropped") == 1.0
        pg.start()
        wait_until(lambda: s.get("/healthz") == (200, "ok\n"), timeout=30, what="writing resumed")
        assert sample(s.metrics(), "eku_store_up") == 1.0
        wait_until(lambda: pg.sql("SELECT string_agg(eku_class, ',' ORDER BY id) FROM observations")
                   == "server_client,server_only", what="the swap made while down stored")
        # and the events of the rounds that could not be written
        assert pg.sql("SELECT string_agg(type, ',' ORDER BY id) FROM events") == "cert_changed,clientauth_dropped"
    finally:
        log = s.stop()
    assert "store_error=" in log
