"""eku scan STARTTLS dialogues against scripted peers on 127.0.0.1: each peer
speaks the plaintext part of its protocol (SMTP, IMAP, POP3, FTP, LDAP, XMPP
c2s and s2s, PostgreSQL), then upgrades with Python's ssl module asking for a
client certificate; SIP is direct TLS plus an OPTIONS answer with a Server
banner. Real prosody / postfix / PostgreSQL scenarios are in 23_scan_daemons_test.py.
"""
import importlib.util
import json
import socket
import ssl
import threading
from pathlib import Path

import pytest

from conftest import run

_spec = importlib.util.spec_from_file_location("scan_peers", Path(__file__).with_name("20_scan_peers_test.py"))
scan_peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scan_peers)
pki = scan_peers.pki  # the module-scoped PKI fixture


def smtp(f, w, seen):
    w(b"220 mx.example ESMTP Postfix (Debian)\r\n")
    seen.append(f.readline())
    w(b"250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
    seen.append(f.readline())
    w(b"220 2.0.0 Ready to start TLS\r\n")


def imap(f, w, seen):
    w(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n")
    line = f.readline()
    seen.append(line)
    tag = line.split(b" ")[0]
    w(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK Begin TLS negotiation now.\r\n")


def pop3(f, w, seen):
    w(b"+OK Dovecot ready.\r\n")
    seen.append(f.readline())
    w(b"+OK Begin TLS negotiation now.\r\n")


def ftp(f, w, seen):
    w(b"220-Welcome\r\n220 (vsFTPd 3.0.3)\r\n")
    seen.append(f.readline())
    w(b"234 Proceed with negotiation.\r\n")


def ldap(f, w, seen):
    req = f.read(31)
    seen.append(req)
    # ExtendedResponse, messageID 1, resultCode success, empty matchedDN / message
    w(bytes([0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]))


def _xmpp(f, w, seen, ns):
    buf = b""
    while b">" not in buf or b"stream:stream" not in buf:
        buf += f.read(4096)
    seen.append(buf)
    w(b"<?xml version='1.0'?><stream:stream xmlns='" + ns + b"' xmlns:stream='http://etherx.jabber.org/streams'"
      b" id='x1' from='example.org' version='1.0'><stream:features>"
      b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>")
    buf = b""
    while b"/>" not in buf:
        buf += f.read(4096)
    seen.append(buf)
    w(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")


def xmpp_c2s(f, w, seen):
    _xmpp(f, w, seen, b"jabber:client")


def xmpp_s2s(f, w, seen):
    _xmpp(f, w, seen, b"jabber:server")


def postgres(f, w, seen):
    seen.append(f.read(8))
    w(b"S")


PROTOCOLS = [
    # (starttls name, dialogue, fragment the peer must have received, banner)
    ("smtp", smtp, b"STARTTLS", "mx.example ESMTP Postfix (Debian)"),
    ("imap", imap, b"STARTTLS", "[CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready."),
    ("pop3", pop3, b"STLS", "Dovecot ready."),
    ("ftp", ftp, b"AUTH TLS", "Welcome"),
    ("ldap", ldap, b"1.3.6.1.4.1.1466.20037", None),
    ("xmpp-client", xmpp_c2s, b"to='xmpp.example'", None),
    ("xmpp-server", xmpp_s2s, b"from='eku-scan.invalid'", None),
    ("postgres", postgres, b"\x04\xd2\x16\x2f", None),
]


class StartTLSPeer:
    def __init__(self, dialogue, ctx, after_tls=None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.dialogue, self.ctx, self.after_tls = dialogue, ctx, after_tls
        self.seen = []
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        conn.settimeout(10)
        try:
            if self.dialogue is not None:
                f = conn.makefile("rb", buffering=0)
                self.dialogue(f, conn.sendall, self.seen)
            s = self.ctx.wrap_socket(conn, server_side=True)
            if self.after_tls:
                self.after_tls(s)
            else:
                s.recv(100)
            s.close()
        except (OSError, ssl.SSLError, ValueError):
            conn.close()

    def stop(self):
        self.sock.close()


def server_ctx(pki, verify):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.p("server.pem"), pki.p("server.key"))
    ctx.verify_mode = verify
    if verify != ssl.CERT_NONE:
        ctx.load_verify_locations(pki.p("private-root.pem"))
    return ctx


@pytest.mark.parametrize("proto,dialogue,fragment,banner", PROTOCOLS, ids=[p[0] for p in PROTOCOLS])
def test_starttls_required(eku_bin, pki, proto, dialogue, fragment, banner):
    peer = StartTLSPeer(dialogue, server_ctx(pki, ssl.CERT_REQUIRED))
    try:
        r = run([eku_bin, "scan", "--no-system", "--format", "json", "--handshake-timeout", "5s",
                 "--xmpp-to", "xmpp.example", f"127.0.0.1:{peer.port},starttls={proto}",
                 "--client-cert", pki.p("client.pem"), "--client-key", pki.p("client.key"),
                 "--client-cert", pki.p("server-only.pem"), "--client-key", pki.p("server-only.key")])
    finally:
        peer.stop()
    (res,) = json.loads(r.stdout)["results"]
    assert res["error"] is None, res["error"]
    assert res["protocol"] == proto
    assert res["tls_version"] == "TLSv1.3"
    assert res["client_auth"] == "required"
    assert res["acceptable_cas"] == []  # Python's ssl sends no CA names
    assert [d["result"] for d in res["dry_runs"]] == ["accepted", "rejected"]
    assert res["dry_runs"][1]["alert"] == "unsupported_certificate"
    assert any(fragment in s for s in peer.seen)
    assert res["banner"] == banner


@pytest.mark.parametrize("verify,expected", [(ssl.CERT_OPTIONAL, "requested"), (ssl.CERT_NONE, "none")])
def test_starttls_levels(eku_bin, pki, verify, expected):
    peer = StartTLSPeer(smtp, server_ctx(pki, verify))
    try:
        r = run([eku_bin, "scan", "--no-system", "--format", "json", f"127.0.0.1:{peer.port},starttls=smtp"])
    finally:
        peer.stop()
    (res,) = json.loads(r.stdout)["results"]
    assert res["client_auth"] == expected


def test_sip_options_banner(eku_bin, pki):
    def answer_options(s):
        req = b""
        while b"\r\n\r\n" not in req:
            req += s.recv(4096)
        assert req.startswith(b"OPTIONS sip:")
        s.sendall(b"SIP/2.0 200 OK\r\nVia: x\r\nServer: TANDBERG/4352 (X15.3.2)\r\nContent-Length: 0\r\n\r\n")
    peer = StartTLSPeer(None, server_ctx(pki, ssl.CERT_OPTIONAL), after_tls=answer_options)
    try:
        r = run([eku_bin, "scan", "--no-system", "--format", "json", f"127.0.0.1:{peer.port},starttls=sip"])
    finally:
        peer.stop()
    (res,) = json.loads(r.stdout)["results"]
    assert res["error"] is None, res
    assert res["banner"] == "TANDBERG/4352 (X15.3.2)"
    assert res["client_auth"] == "optional"


def test_default_protocol_by_port(eku_bin):
    """Port 5061 means sip, 25 smtp, ...; an unreachable target still reports it."""
    r = run([eku_bin, "scan", "--no-system", "--format", "json", "--connect-timeout", "1s",
             "127.0.0.1:25", "127.0.0.1:5061", "127.0.0.1:5269", "[::1]:5432"])
    got = {x["target"]: x["protocol"] for x in json.loads(r.stdout)["results"]}
    assert got == {"127.0.0.1:25": "smtp", "127.0.0.1:5061": "sip", "127.0.0.1:5269": "xmpp-server",
                   "[::1]:5432": "postgres"}
