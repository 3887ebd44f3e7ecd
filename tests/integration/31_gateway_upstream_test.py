"""eku gateway towards real TLS upstreams that require client certificates.

nginx (ssl_verify_client on) accepts the gateway's client-store certificate
(clientAuth) and refuses its server-store certificate (serverAuth only) when
a route opts into present_server_cert_as_client. haproxy (verify required)
does the same, and also receives PROXY v2 on a plain upstream route. An
upstream that is down fails fast with a logged reason.
"""
import importlib.util
import subprocess
import time
from pathlib import Path

import pytest

from conftest import free_port, need, run

_spec = importlib.util.spec_from_file_location(
    "gw30", Path(__file__).with_name("30_gateway_mtls_test.py"))
gw30 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gw30)


def wait_port(port, proc, timeout=10):
    import socket
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"peer exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"port {port} never opened")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return gw30.make_pki(tmp_path_factory.mktemp("gwpki31"))


@pytest.fixture(scope="module")
def nginx(pki, tmp_path_factory):
    binary = need("nginx")
    d = tmp_path_factory.mktemp("nginx")
    port = free_port()
    (d / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log {d}/access.log;
  client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d};
  uwsgi_temp_path {d}; scgi_temp_path {d};
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {pki}/up-server.pem;
    ssl_certificate_key {pki}/up-server.key;
    ssl_client_certificate {pki}/ca.pem;
    ssl_verify_client on;
    location / {{ return 200 "nginx ok $ssl_client_s_dn\\n"; }}
  }}
}}
""")
    p = subprocess.Popen([binary, "-c", str(d / "nginx.conf"), "-p", str(d)],
                         stderr=subprocess.PIPE, text=True)
    wait_port(port, p)
    yield port
    p.terminate()
    p.wait(timeout=10)


@pytest.fixture(scope="module")
def haproxy(pki, tmp_path_factory):
    binary = need("haproxy")
    d = tmp_path_factory.mktemp("haproxy")
    tls_port, pp_port = free_port(), free_port()
    (d / "up.pem").write_text((pki / "up-server.pem").read_text() +
                              (pki / "up-server.key").read_text())
    (d / "up.pem").chmod(0o600)
    (d / "haproxy.cfg").write_text(f"""
global
  log stderr format short local0 info
defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s
frontend tls
  bind 127.0.0.1:{tls_port} ssl crt {d}/up.pem verify required ca-file {pki}/ca.pem
  http-request return status 200 content-type text/plain lf-string "haproxy ok %[ssl_c_s_dn]\\n"
frontend pp
  bind 127.0.0.1:{pp_port} accept-proxy
  http-request return status 200 content-type text/plain lf-string "haproxy pp src=%[src] authority=%[fc_pp_authority]\\n"
""")
    p = subprocess.Popen([binary, "-f", str(d / "haproxy.cfg")], stderr=subprocess.PIPE, text=True)
    wait_port(tls_port, p)
    wait_port(pp_port, p)
    yield tls_port, pp_port
    p.terminate()
    p.wait(timeout=10)


def up_route(name, port, up_port, tls=True, as_client=False, proxy=False):
    y = (f"  - name: {name}\n    listen: [127.0.0.1:{port}]\n    client_auth: require\n"
         f"    policy: enforce\n")
    if as_client:
        y += "    present_server_cert_as_client: true\n"
    y += f"    upstream:\n      address: 127.0.0.1:{up_port}\n"
    if tls:
        y += "      tls: true\n      name: upstream.example\n"
    if proxy:
        y += "      proxy_protocol: v2\n"
    return y


@pytest.fixture(scope="module")
def gw(eku_bin, pki, nginx, haproxy, tmp_path_factory):
    need("curl")
    ports = {n: free_port() for n in ("ng", "ng_srv", "ha", "ha_srv", "ha_pp", "down", "admin")}
    routes = [
        up_route("nginx-client-store", ports["ng"], nginx),
        up_route("nginx-server-cert", ports["ng_srv"], nginx, as_client=True),
        up_route("haproxy-client-store", ports["ha"], haproxy[0]),
        up_route("haproxy-server-cert", ports["ha_srv"], haproxy[0], as_client=True),
        up_route("haproxy-pp", ports["ha_pp"], haproxy[1], tls=False, proxy=True),
        up_route("down", ports["down"], free_port(), tls=False),
    ]
    cfg = tmp_path_factory.mktemp("gwcfg31") / "gateway.yaml"
    cfg.write_text(gw30.config_yaml(pki, ports["admin"], routes))
    g = gw30.Gateway(eku_bin, cfg, ports["admin"])
    g.ports = ports
    yield g
    g.stop()


def test_nginx_accepts_client_store_cert(gw, pki):
    r = gw30.curl(pki, gw.ports["ng"], "cli-dual")
    assert r.returncode == 0, r.stderr
    assert "nginx ok CN=gw-client" in r.stdout


def test_nginx_refuses_server_store_cert(gw, pki):
    r = gw30.curl(pki, gw.ports["ng_srv"], "cli-dual")
    # nginx answers 400 "The SSL certificate error" to a serverAuth-only client cert
    assert "nginx ok" not in r.stdout
    assert "400" in r.stdout or "SSL certificate error" in r.stdout, r.stdout + r.stderr


def test_haproxy_accepts_client_store_cert_and_refuses_server_cert(gw, pki):
    r = gw30.curl(pki, gw.ports["ha"], "cli-dual")
    assert r.returncode == 0 and "haproxy ok" in r.stdout and "gw-client" in r.stdout, r.stderr
    r = gw30.curl(pki, gw.ports["ha_srv"], "cli-dual")
    assert "haproxy ok" not in r.stdout


def test_haproxy_reads_proxy_v2(gw, pki):
    r = gw30.curl(pki, gw.ports["ha_pp"], "cli-dual")
    assert r.returncode == 0, r.stderr
    assert "haproxy pp src=127.0.0.1" in r.stdout
    assert "authority=gw.example" in r.stdout


def test_upstream_down_fails_fast_with_reason(gw, pki):
    t = time.time()
    r = gw30.curl(pki, gw.ports["down"], "cli-dual")
    assert r.returncode != 0 and time.time() - t < 5
    r = gw30.curl(pki, gw.ports["down"], "cli-dual")       # within backoff: instant refusal
    assert r.returncode != 0
    logs = gw.logs()
    assert "route=down" in logs and "result=upstream_failed reason=connect:connection_refused" in logs
    assert gw.metric("eku_gateway_upstream_failures_total", route="down") >= 2
