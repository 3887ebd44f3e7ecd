/* Scenario tests for eku plan: one named case per behaviour of docs/background.md
 * sections 3-5, date edges around each cut-off, and inventory errors with
 * exact positions. Certificates come from tests/plan/make-certs.sh, run once
 * into a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <eku/plan.h>
#include <eku/util.h>

static char certdir[256];

/* Roots shared by every scenario: lab stand-ins for public CAs. */
static const char roots[] =
	"public_roots:\n"
	"  - { file: le-root.pem, ca_vendor: letsencrypt }\n"
	"  - { file: dc-root.pem, ca_vendor: digicert }\n"
	"  - { file: gs-root.pem, ca_vendor: globalsign }\n"
	"private_roots: [corp-root.pem]\n";

struct expect {
	const char *id;        /* finding id */
	const char *severity;
	const char *breaks_on; /* "" for none, NULL to skip */
	const char *has;       /* comma-separated reason codes that must be present */
	const char *lacks;     /* ... that must be absent */
	const char *options;   /* "YNNY": A-D available or not; NULL to skip */
};

struct scenario {
	const char *name;
	const char *at;
	bool assume_renewed;
	const char *body;      /* nodes: and links: */
	struct expect e[4];
	const char *now;       /* the present; NULL: TEST_NOW */
};

/* The present for every case that does not name one, so that RENEWAL_DUE
 * (expires between the present and --at) does not depend on the clock. */
#define TEST_NOW "2026-11-27"

#define E_PAIR(ev, cv, eset, cset, ecert, ccert)                                        \
	"nodes:\n"                                                                      \
	"  - { name: expe1, product: expressway-e, version: " ev ", certificates: { server: " ecert " }" eset " }\n" \
	"  - { name: expc1, product: expressway-c, version: " cv ", certificates: { server: " ccert " }" cset " }\n"

static const struct scenario scenarios[] = {
	{ "FAQ: cluster replication broken right after renewal to serverAuth-only (X15.3.2, Enforcing)",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.3.2, cluster: [expe2], settings: { cluster_tls_verify: enforcing }, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: expe2, product: expressway-e, version: X15.3.2, cluster: [expe1], settings: { cluster_tls_verify: enforcing }, certificates: { server: dc-dual.pem } }\n",
	  { { "link:clusterdb:expe1->expe2", "broken", "", "CLIENT_EKU_MISSING", NULL, "NNNY" },
	    { "node:expe1", "at_risk", NULL, "CLUSTER_EKU_MISMATCH,GUI_UPLOAD_REFUSED", NULL, NULL } }, NULL },
	{ "FAQ: the same cluster on X15.4 in Enforcing replicates",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.4.0, cluster: [expe2], settings: { cluster_tls_verify: enforcing }, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: expe2, product: expressway-e, version: X15.4.0, cluster: [expe1], settings: { cluster_tls_verify: enforcing }, certificates: { server: dc-dual.pem } }\n",
	  { { "link:clusterdb:expe1->expe2", "ok", "", NULL, "CLIENT_EKU_MISSING", NULL } }, NULL },
	{ "cluster in Permissive: works, says so",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.3.2, cluster: [expe2], settings: { cluster_tls_verify: permissive }, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: expe2, product: expressway-e, version: X15.3.2, cluster: [expe1], settings: { cluster_tls_verify: permissive }, certificates: { server: dc-dual.pem } }\n",
	  { { "link:clusterdb:expe1->expe2", "ok", "", "CLIENT_EKU_MISSING,VERIFY_PERMISSIVE", NULL, NULL } }, NULL },
	{ "symptom: MRA SIP registration fails with a serverAuth-only E certificate before X15.4",
	  "2026-11-27", false,
	  E_PAIR("X15.3.2", "X15.3.2", "", "", "le-server-only.pem", "corp-dual.pem")
	  "links:\n  - { kind: mra-sip, client: expc1, server: expe1 }\n",
	  { { "link:mra-sip:expc1->expe1", "broken", "", "CLIENT_EKU_MISSING,BOTH_EKUS_REQUIRED", NULL, "NNNY" } }, NULL },
	{ "MRA on X15.4: C no longer checks clientAuth in SIP SERVICE",
	  "2026-11-27", false,
	  E_PAIR("X15.4.0", "X15.4.0", ", settings: { server_eku_upload: on }", "", "le-server-only.pem", "corp-dual.pem")
	  "links:\n  - { kind: mra-sip, client: expc1, server: expe1 }\n",
	  { { "link:mra-sip:expc1->expe1", "ok", "", NULL, "BOTH_EKUS_REQUIRED,CLIENT_EKU_MISSING", NULL },
	    { "node:expe1", "ok", "", NULL, "GUI_UPLOAD_REFUSED", NULL } }, NULL },
	{ "symptom: neighbor zone down on X15.4 after a serverAuth-only upload (TLS verify on)",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.4.0, settings: { server_eku_upload: on }, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: cucm1, product: cucm, certificates: { server: corp-server-only.pem } }\n"
	  "links:\n"
	  "  - { kind: sip-neighbor, client: expe1, server: cucm1, tls_verify: on }\n"
	  "  - { kind: sip-neighbor, client: cucm1, server: expe1, tls_verify: on }\n",
	  { { "link:sip-neighbor:expe1->cucm1", "broken", "", "CLIENT_EKU_MISSING", NULL, "NNNY" },
	    { "link:sip-neighbor:cucm1->expe1", "broken", "", "CLIENT_EKU_MISSING", NULL, NULL } }, NULL },
	{ "decision tree 1: private PKI is not affected",
	  "2026-11-27", false,
	  E_PAIR("X15.3.2", "X15.3.2", "", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: uc-traversal, client: expc1, server: expe1 }\n",
	  { { "link:uc-traversal:expc1->expe1", "not_affected", "", "PRIVATE_PKI", NULL, NULL },
	    { "node:expc1", "not_affected", "", "PRIVATE_PKI", NULL, NULL } }, NULL },
	{ "decision tree 2: public certificate without mTLS has minimal impact",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: web, product: generic-openssl, certificates: { server: dc-dual.pem } }\n"
	  "  - { name: xmpp, product: prosody, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: xmpp2, product: prosody, certificates: { server: le-server-only.pem } }\n"
	  "links:\n  - { kind: xmpp-federation, client: web, server: xmpp }\n",
	  { { "node:web", "ok", "", "PUBLIC_NO_MTLS", NULL, NULL },
	    { "node:xmpp2", "ok", "", "PUBLIC_NO_MTLS", NULL, NULL },
	    { "link:xmpp-federation:web->xmpp", "ok", "", "CLIENT_EKU_NOT_REQUIRED", NULL, NULL } }, NULL },
	{ "prosody accepts serverAuth for XMPP s2s",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.5.0, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: xmpp, product: prosody, certificates: { server: le-server-only.pem } }\n"
	  "links:\n  - { kind: xmpp-federation, client: expe1, server: xmpp }\n",
	  { { "link:xmpp-federation:expe1->xmpp", "ok", "", "CLIENT_EKU_NOT_REQUIRED", "CLIENT_EKU_MISSING", NULL } }, NULL },
	{ "FAQ: Let's Encrypt classic ACME renewal after 2026-02-11 silently drops clientAuth",
	  "2026-01-20", false,
	  "nodes:\n"
	  "  - { name: gw, product: generic-openssl, certificates: { server: le-dual-acme.pem }, acme: { enabled: true, ca: letsencrypt, profile: classic } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: gw, server: api }\n",
	  { { "link:generic-mtls:gw->api", "at_risk", "2026-03-16",
	      "PUBLIC_CLIENTAUTH_SUNSET,RENEWAL_DROPS_CLIENTAUTH,ACME_DROPS_CLIENTAUTH", NULL, "YYYN" },
	    { "node:gw", "at_risk", "2026-03-16", "ACME_DROPS_CLIENTAUTH", NULL, NULL } }, NULL },
	{ "LE: option B closes after the tlsclient profile retires (2026-07-08)",
	  "2026-07-08", true,
	  "nodes:\n"
	  "  - { name: gw, product: generic-openssl, certificates: { server: le-dual-acme.pem }, acme: { enabled: true, ca: letsencrypt, profile: classic } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: gw, server: api }\n",
	  { { "link:generic-mtls:gw->api", "broken", "", "CLIENT_EKU_MISSING", NULL, "YNYN" } }, NULL },
	{ "LE: the day before the tlsclient retirement B is still open",
	  "2026-07-07", true,
	  "nodes:\n"
	  "  - { name: gw, product: generic-openssl, certificates: { server: le-dual-acme.pem }, acme: { enabled: true, ca: letsencrypt, profile: classic } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: gw, server: api }\n",
	  { { "link:generic-mtls:gw->api", "broken", "", "CLIENT_EKU_MISSING", NULL, "YYYN" } }, NULL },
	{ "LE classic cut-off: renewed on 2026-02-10 keeps clientAuth",
	  "2026-02-10", true,
	  "nodes:\n"
	  "  - { name: gw, product: generic-openssl, certificates: { server: le-dual-acme.pem }, acme: { enabled: true, ca: letsencrypt, profile: classic } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: gw, server: api }\n",
	  { { "link:generic-mtls:gw->api", "at_risk", NULL, "RENEWAL_DROPS_CLIENTAUTH", "CLIENT_EKU_MISSING", NULL } }, NULL },
	{ "LE classic cut-off: renewed on 2026-02-11 comes back serverAuth-only",
	  "2026-02-11", true,
	  "nodes:\n"
	  "  - { name: gw, product: generic-openssl, certificates: { server: le-dual-acme.pem }, acme: { enabled: true, ca: letsencrypt, profile: classic } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: gw, server: api }\n",
	  { { "link:generic-mtls:gw->api", "broken", "", "CLIENT_EKU_MISSING", NULL, NULL } }, NULL },
	{ "FAQ: X15.5 with checking Off, but SSH tunnels and UC traversal still need C's clientAuth",
	  "2026-11-27", false,
	  E_PAIR("X15.5.0", "X15.5.0", ", settings: { eku_checking: off }", "", "le-server-only.pem", "dc-server-only.pem")
	  "  - { name: sbc, product: generic-openssl, certificates: { server: dc-server-only.pem } }\n"
	  "links:\n"
	  "  - { kind: ssh-tunnel, client: expc1, server: expe1 }\n"
	  "  - { kind: uc-traversal, client: expc1, server: expe1 }\n"
	  "  - { kind: b2b-sip, client: sbc, server: expe1 }\n",
	  { { "link:ssh-tunnel:expc1->expe1", "broken", "", "CLIENT_EKU_MISSING", NULL, "YYYN" },
	    { "link:uc-traversal:expc1->expe1", "broken", "", "CLIENT_EKU_MISSING", NULL, NULL },
	    { "link:b2b-sip:sbc->expe1", "ok", "", NULL, "CLIENT_EKU_MISSING", NULL } }, NULL },
	{ "X15.5 with checking On (default) still needs the inbound peer's clientAuth; D is the setting",
	  "2026-11-27", false,
	  E_PAIR("X15.5.0", "X15.5.0", "", "", "le-server-only.pem", "dc-dual.pem")
	  "  - { name: sbc, product: generic-openssl, certificates: { server: dc-server-only.pem } }\n"
	  "links:\n  - { kind: b2b-sip, client: sbc, server: expe1 }\n",
	  { { "link:b2b-sip:sbc->expe1", "broken", "", "CLIENT_EKU_MISSING", NULL, "YYYY" } }, NULL },
	{ "E/C version mismatch: unsupported from today, at_risk dated today (not a proven break)",
	  "2026-11-27", false,
	  E_PAIR("X15.4.0", "X15.3.2", "", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: uc-traversal, client: expc1, server: expe1 }\n",
	  { { "link:uc-traversal:expc1->expe1", "at_risk", "2026-11-27", "VERSION_MISMATCH", NULL, NULL } }, NULL },
	/* Issue 8: versions are compared in their canonical spelling. */
	{ "versions: x15.3.2 on C and X15.3.2 on E are one release (no false VERSION_MISMATCH)",
	  "2026-11-27", false,
	  E_PAIR("X15.3.2", "x15.3.2", "", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: uc-traversal, client: expc1, server: expe1 }\n",
	  { { "link:uc-traversal:expc1->expe1", "not_affected", "", "PRIVATE_PKI", "VERSION_MISMATCH", NULL },
	    { "node:expc1", "not_affected", NULL, NULL, NULL, NULL } }, NULL },
	{ "versions: X15.4 and X15.4.0 are one release",
	  "2026-11-27", false,
	  E_PAIR("X15.4.0", "X15.4", "", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: uc-traversal, client: expc1, server: expe1 }\n",
	  { { "link:uc-traversal:expc1->expe1", "not_affected", "", NULL, "VERSION_MISMATCH", NULL } }, NULL },
	{ "versions: X16.0 falls into the open-ended 'X15.5 and later' band (its settings are accepted)",
	  "2026-11-27", false,
	  E_PAIR("X16.0", "X16.0", ", settings: { eku_checking: off }", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: uc-traversal, client: expc1, server: expe1 }\n",
	  { { "link:uc-traversal:expc1->expe1", "not_affected", "", NULL, "VERSION_MISMATCH", NULL } }, NULL },
	{ "Chrome leaf rule: renewal on 2027-03-14 still gets clientAuth, the next one does not",
	  "2026-12-01", false,
	  "nodes:\n"
	  "  - { name: a, product: generic-openssl, certificates: { server: gs-dual-0314.pem } }\n"
	  "  - { name: b, product: generic-openssl, certificates: { server: gs-dual-0315.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: a, server: api }\n  - { kind: generic-mtls, client: b, server: api }\n",
	  { { "link:generic-mtls:a->api", "at_risk", "2027-09-30", "PUBLIC_CLIENTAUTH_SUNSET", NULL, "YYYN" },
	    { "link:generic-mtls:b->api", "at_risk", "2027-03-15", "PUBLIC_CLIENTAUTH_SUNSET", NULL, NULL } }, NULL },
	{ "DigiCert: B open on 2027-02-28",
	  "2027-02-28", false,
	  "nodes:\n"
	  "  - { name: c, product: generic-openssl, certificates: { server: dc-dual-long.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: c, server: api }\n",
	  { { "link:generic-mtls:c->api", "at_risk", "2027-06-17", NULL, NULL, "YYYN" },
	    { "node:c", "at_risk", "", "VALIDITY_OVER_CAP", NULL, NULL } }, NULL },
	{ "DigiCert: B closed on 2027-03-01",
	  "2027-03-01", false,
	  "nodes:\n"
	  "  - { name: c, product: generic-openssl, certificates: { server: dc-dual-long.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: c, server: api }\n",
	  { { "link:generic-mtls:c->api", "at_risk", "2027-06-17", NULL, NULL, "YNYN" } }, NULL },
	{ "time zone: 2027-03-14T23:30-01:00 is already 2027-03-15 UTC (Chrome date passed, B closed)",
	  "2027-03-14T23:30:00-01:00", false,
	  "nodes:\n"
	  "  - { name: b, product: generic-openssl, certificates: { server: gs-dual-long.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: b, server: api }\n",
	  { { "link:generic-mtls:b->api", "at_risk", "2027-06-01", NULL, NULL, "YNYN" } }, NULL },
	{ "time zone: 2027-03-14T23:30+01:00 is still 2027-03-14 UTC (B open)",
	  "2027-03-14T23:30:00+01:00", false,
	  "nodes:\n"
	  "  - { name: b, product: generic-openssl, certificates: { server: gs-dual-long.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: b, server: api }\n",
	  { { "link:generic-mtls:b->api", "at_risk", "2027-06-01", NULL, NULL, "YYYN" } }, NULL },
	{ "leap day: valid through 2028-02-29",
	  "2028-02-29T12:00:00Z", false,
	  "nodes:\n  - { name: i, product: generic-openssl, certificates: { server: corp-dual.pem } }\n",
	  { { "node:i", "not_affected", "", "PRIVATE_PKI", "EXPIRED", NULL } }, NULL },
	{ "leap day: expired on 2028-03-01 when that day is the present",
	  "2028-03-01", false,
	  "nodes:\n  - { name: i, product: generic-openssl, certificates: { server: corp-dual.pem } }\n",
	  { { "node:i", "broken", "", "EXPIRED", "RENEWAL_DUE", NULL } }, "2028-03-01" },
	{ "--at far ahead: a private certificate expiring before --at is renewed with the same profile",
	  "2028-03-01", false,
	  "nodes:\n  - { name: i, product: generic-openssl, certificates: { server: corp-dual.pem } }\n",
	  { { "node:i", "not_affected", "", "RENEWAL_DUE,PRIVATE_PKI", "EXPIRED", NULL } }, NULL },
	{ "--at far ahead: renewals before --at take the CA rules of their day (DigiCert drops clientAuth)",
	  "2027-10-01", false,
	  "nodes:\n"
	  "  - { name: c, product: generic-openssl, certificates: { server: dc-dual.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: c, server: api }\n",
	  { { "link:generic-mtls:c->api", "broken", "", "RENEWAL_DUE,CLIENT_EKU_MISSING", "EXPIRED", "YNYN" },
	    { "node:c", "ok", "", "RENEWAL_DUE", "EXPIRED", NULL } }, NULL },
	/* Issue 8 #3: DigiCert issues clientAuth on request only since
	 * 2025-10-01, so the ordinary renewal at expiry (2027-02-15) drops it,
	 * before the final cut-off of 2027-03-01. */
	{ "--at far ahead: an ordinary renewal in DigiCert's on-request period drops clientAuth",
	  "2027-08-01", false,
	  "nodes:\n"
	  "  - { name: c, product: generic-openssl, certificates: { server: dc-dual.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: c, server: api }\n",
	  { { "link:generic-mtls:c->api", "broken", "", "RENEWAL_DUE,CLIENT_EKU_MISSING", "EXPIRED", NULL } }, NULL },
	{ "issue 8 #3: DigiCert dual-EKU certificate breaks at its next ordinary renewal, not at the cut-off",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: c, product: generic-openssl, certificates: { server: dc-dual.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: c, server: api }\n",
	  { { "link:generic-mtls:c->api", "at_risk", "2027-02-15", "RENEWAL_DROPS_CLIENTAUTH,CLIENTAUTH_ON_REQUEST",
	      NULL, "YYYN" } }, NULL },
	{ "issue 8 #5: an unknown issuer gets no date and no 'from the issuing CA'",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: c, product: generic-openssl, certificates: { server: unk-dual.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: c, server: api }\n",
	  { { "link:generic-mtls:c->api", "unknown", "", "ISSUER_UNKNOWN", "RENEWAL_DROPS_CLIENTAUTH", NULL } }, NULL },
	{ "--at far ahead: X15.3.2 E renewed serverAuth-only breaks MRA and its GUI upload",
	  "2027-10-01", false,
	  E_PAIR("X15.3.2", "X15.3.2", "", "", "dc-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: mra-sip, client: expc1, server: expe1 }\n",
	  { { "link:mra-sip:expc1->expe1", "broken", "", "RENEWAL_DUE,CLIENT_EKU_MISSING,BOTH_EKUS_REQUIRED", "EXPIRED", NULL },
	    { "node:expe1", "at_risk", "", "RENEWAL_DUE,GUI_UPLOAD_REFUSED", "EXPIRED", NULL } }, NULL },
	{ "expired certificate on a link is broken",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: c, product: generic-openssl, certificates: { server: dc-dual-expired.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: c, server: api }\n",
	  { { "link:generic-mtls:c->api", "broken", "", "EXPIRED", NULL, NULL } }, NULL },
	{ "host:port is an input the plan cannot read offline",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: remote, product: generic-openssl, certificates: { server: 'peer.example:5061' } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: remote, server: api }\n",
	  { { "node:remote", "unknown", "", "CERT_NOT_READ", NULL, NULL },
	    { "link:generic-mtls:remote->api", "unknown", "", "CERT_NOT_READ", NULL, NULL } }, NULL },
	/* Issue 8: a partner's node without a certificate. */
	{ "no certificate: CERT_UNKNOWN (unknown) where a rule checks it, judged normally where nothing does",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: sbc, product: generic-openssl }\n"
	  "  - { name: sbc2, product: generic-openssl }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: sbc, server: api }\n"
	  "  - { kind: generic-mtls, client: sbc2, server: api, tls_verify: off }\n",
	  { { "link:generic-mtls:sbc->api", "unknown", "", "CERT_UNKNOWN", "CLIENT_EKU_MISSING", NULL },
	    { "link:generic-mtls:sbc2->api", "not_affected", "", "TLS_VERIFY_OFF,CLIENT_EKU_NOT_REQUIRED", "CERT_UNKNOWN", NULL },
	    { "node:sbc", "unknown", "", "CERT_UNKNOWN", NULL, NULL },
	    { "node:sbc2", "not_affected", "", "CERT_UNKNOWN", NULL, NULL } }, NULL },
	{ "no certificate on the server side: the TLS client's serverAuth check needs it",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: xmpp, product: prosody }\n"
	  "  - { name: expe1, product: expressway-e, version: X15.5.0, certificates: { server: le-server-only.pem } }\n"
	  "links:\n  - { kind: xmpp-federation, client: expe1, server: xmpp }\n",
	  { { "link:xmpp-federation:expe1->xmpp", "unknown", "", "CERT_UNKNOWN", NULL, NULL },
	    { "node:xmpp", "unknown", "", "CERT_UNKNOWN", NULL, NULL } }, NULL },
	{ "unknown product 'other' is assumed to require clientAuth, and says so",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: c, product: generic-openssl, certificates: { server: dc-server-only.pem } }\n"
	  "  - { name: box, product: other, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: c, server: box }\n",
	  { { "link:generic-mtls:c->box", "broken", "", "CLIENT_EKU_MISSING,ASSUMED_REQUIREMENT", NULL, NULL } }, NULL },
	{ "tls_verify off: nothing checks clientAuth",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: c, product: generic-openssl, certificates: { server: dc-server-only.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: c, server: api, tls_verify: off }\n",
	  { { "link:generic-mtls:c->api", "ok", "", "CLIENT_EKU_NOT_REQUIRED,TLS_VERIFY_OFF", "CLIENT_EKU_MISSING", NULL } }, NULL },
	{ "Expressway-E: options A and C are closed for its one browser-facing certificate",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.3.2, certificates: { server: dc-dual.pem } }\n"
	  "  - { name: sbc, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: b2b-sip, client: expe1, server: sbc }\n",
	  { { "link:b2b-sip:expe1->sbc", "at_risk", "2027-02-15", "RENEWAL_DROPS_CLIENTAUTH", NULL, "NYNY" } }, NULL },
	{ "eku-gateway enforce: a serverAuth-only client certificate is refused; D is the route policy",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: sbc, product: generic-openssl, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: gw, product: eku-gateway, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: sbc, server: gw }\n",
	  { { "link:generic-mtls:sbc->gw", "broken", "", "CLIENT_EKU_MISSING", "CLIENT_EKU_IGNORED", "YNYY" } }, NULL },
	{ "eku-gateway ignore-client-eku with an allow-list: serverAuth-only peers get in, no future break",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: sbc, product: generic-openssl, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: sbc2, product: generic-openssl, certificates: { server: dc-dual.pem } }\n"
	  "  - { name: gw, product: eku-gateway, settings: { eku_policy: ignore-client-eku, allow_list: on },"
	  " certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: sbc, server: gw }\n"
	  "  - { kind: generic-mtls, client: sbc2, server: gw }\n",
	  { { "link:generic-mtls:sbc->gw", "ok", "", "CLIENT_EKU_IGNORED,CLIENT_EKU_NOT_REQUIRED",
	      "CLIENT_EKU_MISSING", NULL },
	    { "link:generic-mtls:sbc2->gw", "ok", "", "CLIENT_EKU_IGNORED",
	      "RENEWAL_DROPS_CLIENTAUTH,PUBLIC_CLIENTAUTH_SUNSET", NULL },
	    { "node:sbc", "ok", "", "PUBLIC_NO_MTLS", NULL, NULL } }, NULL },
	{ "eku-gateway enforce: a dual-EKU public peer is at risk from its renewal",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: sbc2, product: generic-openssl, certificates: { server: dc-dual.pem } }\n"
	  "  - { name: gw, product: eku-gateway, settings: { eku_policy: enforce }, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: sbc2, server: gw }\n",
	  { { "link:generic-mtls:sbc2->gw", "at_risk", "2027-02-15", "RENEWAL_DROPS_CLIENTAUTH", NULL, "YYYY" } }, NULL },
	{ "WebRTC: X15.5 with checking Off still needs clientAuth on C's certificate toward E",
	  "2026-11-27", false,
	  E_PAIR("X15.5.0", "X15.5.0", ", settings: { eku_checking: off }", ", settings: { eku_checking: off }",
		"le-server-only.pem", "dc-server-only.pem")
	  "links:\n  - { kind: webrtc, client: expc1, server: expe1 }\n",
	  { { "link:webrtc:expc1->expe1", "broken", "", "CLIENT_EKU_MISSING", NULL, "YYYN" } }, NULL },
	{ "WebRTC: on X15.5 C presents a separate client certificate with clientAuth",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.5.0, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: expc1, product: expressway-c, version: X15.5.0,"
	  " certificates: { server: dc-server-only.pem, client: corp-dual.pem } }\n"
	  "links:\n  - { kind: webrtc, client: expc1, server: expe1 }\n",
	  { { "link:webrtc:expc1->expe1", "ok", "", "PRIVATE_PKI", "CLIENT_EKU_MISSING", NULL } }, NULL },
};

static bool csv_has(const eku_strv *sv, const char *csv, bool want)
{
	char buf[256], *save = NULL;

	if (csv == NULL)
		return true;
	snprintf(buf, sizeof(buf), "%s", csv);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (eku_strv_contains(sv, t) != want) {
			print_error("reason %s %s\n", t, want ? "missing" : "unexpected");
			return false;
		}
	}
	return true;
}

static eku_plan *load_now(const char *yaml, const char *at, bool renewed, const char *now)
{
	eku_plan *p = eku_plan_new();
	int64_t t;

	assert_non_null(p);
	assert_int_equal(eku_plan_set_system_bundle(p, ""), 0);
	assert_int_equal(eku_time_parse(now ? now : TEST_NOW, &t), 0);
	eku_plan_set_now(p, t);
	if (at != NULL) {
		assert_int_equal(eku_time_parse(at, &t), 0);
		eku_plan_set_at(p, t);
	}
	eku_plan_set_assume_renewed(p, renewed);
	if (eku_plan_load_mem(p, "test.yaml", certdir, yaml, strlen(yaml)) != 0) {
		for (size_t i = 0; i < eku_plan_diag_count(p); i++)
			print_error("%d:%d: %s\n", eku_plan_diag(p, i)->line, eku_plan_diag(p, i)->column,
				eku_plan_diag(p, i)->message);
	}
	return p;
}

static eku_plan *load(const char *yaml, const char *at, bool renewed)
{
	return load_now(yaml, at, renewed, NULL);
}

static void run_scenario(void **state)
{
	const struct scenario *sc = *state;
	char yaml[8192], d[16];
	eku_plan *p;

	snprintf(yaml, sizeof(yaml), "%s%s", roots, sc->body);
	p = load_now(yaml, sc->at, sc->assume_renewed, sc->now);
	assert_int_equal(eku_plan_diag_count(p), 0);
	assert_int_equal(eku_plan_run(p), 0);
	for (size_t i = 0; i < 4 && sc->e[i].id != NULL; i++) {
		const struct expect *e = &sc->e[i];
		const struct eku_finding *f = eku_plan_finding_by_id(p, e->id);
		if (f == NULL)
			print_error("no finding %s\n", e->id);
		assert_non_null(f);
		if (strcmp(eku_severity_name(f->severity), e->severity) != 0)
			print_error("%s: %s\n", e->id, f->explanation);
		assert_string_equal(eku_severity_name(f->severity), e->severity);
		if (e->breaks_on != NULL)
			assert_string_equal(f->breaks_on ? eku_time_date(f->breaks_on, d, sizeof(d)) : "", e->breaks_on);
		assert_true(csv_has(&f->reasons, e->has, true));
		assert_true(csv_has(&f->reasons, e->lacks, false));
		if (e->options != NULL) {
			assert_int_equal(f->n_options, 4);
			for (size_t k = 0; k < 4; k++) {
				if (f->options[k].available != (e->options[k] == 'Y'))
					print_error("option %c: %s\n", f->options[k].id, f->options[k].why);
				assert_int_equal(f->options[k].available, e->options[k] == 'Y');
			}
		}
	}
	eku_plan_free(p);
}

/* --- the action list ---------------------------------------------------------- */

struct action_expect {
	const char *by;
	const char *text;      /* a substring of the action */
	const char *findings;  /* comma-separated finding ids it must list */
};

struct action_case {
	const char *name;
	const char *at;
	const char *body;
	size_t n_upgrades;     /* actions that start with "Upgrade " */
	const char *absent;    /* no action may contain this, NULL to skip */
	struct action_expect a[3];
};

/* An E/C pair whose MRA is broken now (needs X15.4) and whose inbound B2B
 * breaks at a DigiCert renewal (needs X15.5). */
#define MERGE_BODY(ecert, sbccert)                                                     \
	E_PAIR("X15.3.2", "X15.3.2", "", "", ecert, "corp-dual.pem")                   \
	"  - { name: sbc, product: generic-openssl, certificates: { server: " sbccert " } }\n" \
	"links:\n"                                                                     \
	"  - { kind: mra-sip, client: expc1, server: expe1 }\n"                        \
	"  - { kind: b2b-sip, client: sbc, server: expe1 }\n"

static const struct action_case action_cases[] = {
	{ "actions: X15.5 covers X15.4's fixes, one upgrade for the pair by the earliest date",
	  "2026-11-27", MERGE_BODY("le-server-only.pem", "dc-dual.pem"), 1, "to X15.4",
	  { { "2026-11-27", "Upgrade expc1, expe1 to X15.5 and later (comprehensive fix), Expressway-C and -E "
	      "together; X15.5 covers X15.4's fixes", "link:mra-sip:expc1->expe1,link:b2b-sip:sbc->expe1" },
	    { "2027-02-15", "Renew sbc's certificate at DigiCert with clientAuth requested explicitly by 2027-02-15 "
	      "(stopgap: lasts until about 2027-09-03)", "link:b2b-sip:sbc->expe1" } } },
	{ "actions: X15.4 alone while X15.5 is not released, X15.5 planned by the later break",
	  "2026-03-01", MERGE_BODY("le-server-only-early.pem", "dc-dual-early.pem"), 2, "covers",
	  { { "2026-03-01", "Upgrade expc1, expe1 to X15.4 (interim fix)", "link:mra-sip:expc1->expe1" },
	    /* sbc's DigiCert certificate expires on 2026-09-30: its ordinary
	     * renewal then comes without clientAuth (on request only). */
	    { "2026-09-30", "Upgrade expc1, expe1 to X15.5 and later (comprehensive fix), Expressway-C and -E "
	      "together (expected 2026-05-01)", "link:b2b-sip:sbc->expe1" } } },
	{ "actions: an upgrade needed by two findings on different dates is listed once, by the earlier",
	  "2026-11-27",
	  E_PAIR("X15.3.2", "X15.3.2", "", "", "corp-dual.pem", "corp-dual.pem")
	  "  - { name: sbc, product: generic-openssl, certificates: { server: dc-dual.pem } }\n"
	  "  - { name: sbc2, product: generic-openssl, certificates: { server: dc-dual-long.pem } }\n"
	  "links:\n"
	  "  - { kind: b2b-sip, client: sbc, server: expe1 }\n"
	  "  - { kind: b2b-sip, client: sbc2, server: expe1 }\n", 1, NULL,
	  /* no C->E link and no cluster: expe1 is its own upgrade group */
	  { { "2027-02-15", "Upgrade expe1 to X15.5", "link:b2b-sip:sbc->expe1,link:b2b-sip:sbc2->expe1" } } },
	{ "actions: two independent E/C pairs upgrade independently, each named by its own group",
	  "2026-11-27",
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.3.2, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: expc1, product: expressway-c, version: X15.3.2, certificates: { server: corp-dual.pem } }\n"
	  "  - { name: expe2, product: expressway-e, version: X15.3.2, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: expc2, product: expressway-c, version: X15.3.2, certificates: { server: corp-dual.pem } }\n"
	  "links:\n"
	  "  - { kind: mra-sip, client: expc1, server: expe1 }\n"
	  "  - { kind: mra-sip, client: expc2, server: expe2 }\n", 2, "expe1, expe2",
	  { { "2026-11-27", "Upgrade expc1, expe1 to X15.4", "link:mra-sip:expc1->expe1" },
	    { "2026-11-27", "Upgrade expc2, expe2 to X15.4", "link:mra-sip:expc2->expe2" } } },
	{ "actions: a version mismatch is an upgrade of the older node, due today",
	  "2026-11-27",
	  E_PAIR("X15.4.0", "X15.3.2", "", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: uc-traversal, client: expc1, server: expe1 }\n", 1, NULL,
	  { { "2026-11-27", "Upgrade expc1 from X15.3.2 to X15.4.0: Expressway-C and -E must run the same version",
	      "link:uc-traversal:expc1->expe1" } } },
	{ "actions: a version mismatch folds into the upgrade the pair needs anyway",
	  "2026-11-27",
	  E_PAIR("X15.4.0", "X15.3.2", "", "", "corp-dual.pem", "corp-dual.pem")
	  "  - { name: sbc, product: generic-openssl, certificates: { server: dc-server-only.pem } }\n"
	  "links:\n  - { kind: uc-traversal, client: expc1, server: expe1 }\n"
	  "  - { kind: b2b-sip, client: sbc, server: expe1 }\n", 1, "from X15.3.2",
	  { { "2026-11-27", "Upgrade expc1, expe1 to X15.5", "link:uc-traversal:expc1->expe1,link:b2b-sip:sbc->expe1" } } },
};

static bool action_matches(const struct eku_action *a, const struct action_expect *e)
{
	char d[16], buf[256], *save = NULL;

	if (strcmp(eku_time_date(a->by, d, sizeof(d)), e->by) != 0 || strstr(a->action, e->text) == NULL)
		return false;
	snprintf(buf, sizeof(buf), "%s", e->findings);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!eku_strv_contains(&a->finding_ids, t))
			return false;
	return true;
}

static void run_actions(void **state)
{
	const struct action_case *ac = *state;
	char yaml[8192], d[16];
	size_t ups = 0;
	eku_plan *p;

	snprintf(yaml, sizeof(yaml), "%s%s", roots, ac->body);
	p = load(yaml, ac->at, false);
	assert_int_equal(eku_plan_diag_count(p), 0);
	assert_int_equal(eku_plan_run(p), 0);
	for (size_t i = 0; i < eku_plan_action_count(p); i++) {
		const struct eku_action *a = eku_plan_action(p, i);
		print_message("  by %s %s\n", eku_time_date(a->by, d, sizeof(d)), a->action);
		ups += strncmp(a->action, "Upgrade ", 8) == 0;
		if (ac->absent != NULL)
			assert_null(strstr(a->action, ac->absent));
	}
	assert_int_equal(ups, ac->n_upgrades);
	for (size_t k = 0; k < 3 && ac->a[k].by != NULL; k++) {
		bool found = false;
		for (size_t i = 0; i < eku_plan_action_count(p) && !found; i++)
			found = action_matches(eku_plan_action(p, i), &ac->a[k]);
		if (!found)
			print_error("no action by %s: %s [%s]\n", ac->a[k].by, ac->a[k].text, ac->a[k].findings);
		assert_true(found);
	}
	eku_plan_free(p);
}

/* --- inventory errors -------------------------------------------------------- */

struct diag_case {
	const char *name;
	const char *yaml;
	size_t count;           /* all problems reported at once */
	int line, column;       /* of the first */
	const char *contains;   /* in the first message */
	enum eku_errcode code;  /* of the first */
};

static const struct diag_case diag_cases[] = {
	{ "unknown top-level key, with the nearest spelling",
	  "nodez: []\n", 2, 1, 1, "did you mean 'nodes'", EKU_E_BAD_CONFIG },
	{ "unknown product, at the value",
	  "nodes:\n  - name: a\n    product: expresway-e\n    version: X15.4.0\n    certificates: { server: corp-dual.pem }\n",
	  1, 3, 14, "did you mean 'expressway-e'", EKU_E_BAD_CONFIG },
	{ "unknown version with the known bands",
	  "nodes:\n  - name: a\n    product: expressway-c\n    version: X15.3.9\n    certificates: { server: corp-dual.pem }\n",
	  1, 4, 14, "not a known version", EKU_E_BAD_CONFIG },
	{ "link naming an unknown node",
	  "nodes:\n  - { name: expc1, product: cucm, certificates: { server: corp-dual.pem } }\n"
	  "  - { name: b, product: cucm, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: expc2, server: b }\n",
	  1, 5, 35, "did you mean 'expc1'", EKU_E_BAD_CONFIG },
	{ "missing certificate file, with the nearest file name",
	  "nodes:\n  - { name: a, product: cucm, certificates: { server: corp-duall.pem } }\n",
	  1, 2, 55, "did you mean 'corp-dual.pem'", EKU_E_IO },
	{ "wrong type: cluster as a mapping",
	  "nodes:\n  - name: a\n    product: cucm\n    cluster: { x: y }\n    certificates: { server: corp-dual.pem }\n",
	  1, 4, 16, "expected a list", EKU_E_BAD_CONFIG },
	{ "unknown setting key",
	  "nodes:\n  - name: a\n    product: expressway-e\n    version: X15.5.0\n    settings: { eku_cheking: off }\n"
	  "    certificates: { server: corp-dual.pem }\n",
	  1, 5, 17, "did you mean 'eku_checking'", EKU_E_BAD_CONFIG },
	{ "bad setting value",
	  "nodes:\n  - name: a\n    product: expressway-e\n    version: X15.3.2\n    settings: { cluster_tls_verify: enforced }\n"
	  "    certificates: { server: corp-dual.pem }\n",
	  1, 5, 37, "did you mean 'enforcing'", EKU_E_BAD_CONFIG },
	{ "setting that does not exist on that version",
	  "nodes:\n  - name: a\n    product: expressway-e\n    version: X15.3.2\n    settings: { eku_checking: off }\n"
	  "    certificates: { server: corp-dual.pem }\n",
	  1, 5, 17, "does not exist on expressway-e X15.3.2", EKU_E_BAD_CONFIG },
	{ "every problem at once",
	  "deploymnt: x\nnodes:\n  - { name: a, product: cucmm, certificates: { server: nothere.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: a, server: zz, tls_verify: maybe }\n",
	  5, 1, 1, "did you mean 'deployment'", EKU_E_BAD_CONFIG },
	{ "eku-gateway ignore-client-eku without an allow-list, at the policy value",
	  "nodes:\n  - name: gw\n    product: eku-gateway\n    settings: { eku_policy: ignore-client-eku }\n"
	  "    certificates: { server: corp-dual.pem }\n",
	  1, 4, 29, "ignore-client-eku needs allow_list: on", EKU_E_BAD_CONFIG },
	{ "YAML syntax error position",
	  "nodes:\n  - { name: a, product: [cucm\n", 1, 3, 1, "YAML syntax error", EKU_E_BAD_CONFIG },
	{ "unknown CA vendor in public_roots",
	  "public_roots:\n  - { file: le-root.pem, ca_vendor: letsencrpyt }\n"
	  "nodes:\n  - { name: a, product: cucm, certificates: { server: corp-dual.pem } }\n",
	  1, 2, 37, "did you mean 'letsencrypt'", EKU_E_BAD_CONFIG },
	/* Issue 8: versions. */
	{ "garbage version: not a version, with the pattern and the known bands",
	  "nodes:\n  - name: a\n    product: expressway-c\n    version: banana\n    certificates: { server: corp-dual.pem }\n",
	  1, 4, 14, "is not a version of the form X<major>.<minor>[.<patch>] (e.g. X15.5.0); known bands: X14.0.0-X14.3.7",
	  EKU_E_BAD_CONFIG },
	{ "version below every band: lists the bands and how to add one with --data-dir",
	  "nodes:\n  - name: a\n    product: expressway-e\n    version: X13.2\n    certificates: { server: corp-dual.pem }\n",
	  1, 4, 14, "add a band to families.expressway (eku data export DIR, edit DIR/products/, rerun with --data-dir DIR)",
	  EKU_E_BAD_CONFIG },
	/* Issue 8: link direction and kind per product (link_kinds in data/products/generic.json). */
	{ "uc-traversal from E to C is reversed: says which side is which",
	  E_PAIR("X15.5.0", "X15.5.0", "", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: uc-traversal, client: expe1, server: expc1 }\n",
	  1, 5, 35, "link uc-traversal is reversed: it goes from expressway-c (client, initiates) -> expressway-e "
	  "(server, accepts); here the client expe1 is expressway-e and the server expc1 is expressway-c: swap client "
	  "and server", EKU_E_BAD_CONFIG },
	{ "ssh-tunnel from E to C is reversed too",
	  E_PAIR("X15.5.0", "X15.5.0", "", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: ssh-tunnel, client: expe1, server: expc1 }\n",
	  1, 5, 33, "link ssh-tunnel is reversed", EKU_E_BAD_CONFIG },
	{ "mra-sip from a prosody node: refused, with the kinds that fit the pair",
	  "nodes:\n  - { name: xmpp, product: prosody, certificates: { server: corp-dual.pem } }\n"
	  "  - { name: expe1, product: expressway-e, version: X15.5.0, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: mra-sip, client: xmpp, server: expe1 }\n",
	  1, 5, 13, "link kind 'mra-sip' joins expressway-c (client, initiates) -> expressway-e (server, accepts), "
	  "not prosody -> expressway-e; kinds for prosody -> expressway-e: b2b-sip, sip-neighbor, xmpp-federation",
	  EKU_E_BAD_CONFIG },
	{ "clusterdb link between different products: refused",
	  E_PAIR("X15.5.0", "X15.5.0", "", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: clusterdb, client: expc1, server: expe1 }\n",
	  1, 5, 13, "link kind 'clusterdb' joins peers of one product, not expressway-c -> expressway-e", EKU_E_BAD_CONFIG },
	{ "cluster: between Expressway-C and -E: refused at the entry",
	  "nodes:\n  - { name: expc1, product: expressway-c, version: X15.5.0, cluster: [expe1], certificates: { server: corp-dual.pem } }\n"
	  "  - { name: expe1, product: expressway-e, version: X15.5.0, certificates: { server: corp-dual.pem } }\n",
	  1, 2, 71, "cluster: expc1 is expressway-c and expe1 is expressway-e; cluster peers run the same product",
	  EKU_E_BAD_CONFIG },
	/* Issue 8: the same link twice. */
	{ "the same link twice: an error naming both lines, not judged twice",
	  E_PAIR("X15.5.0", "X15.5.0", "", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: uc-traversal, client: expc1, server: expe1 }\n"
	  "  - { kind: uc-traversal, client: expc1, server: expe1, tls_verify: on }\n",
	  1, 6, 7, "link uc-traversal expc1 -> expe1 is listed twice (first at line 5); remove one", EKU_E_BAD_CONFIG },
	{ "an explicit clusterdb link that cluster: already implies: names both lines",
	  "nodes:\n  - { name: e1, product: expressway-e, version: X15.5.0, cluster: [e2], certificates: { server: corp-dual.pem } }\n"
	  "  - { name: e2, product: expressway-e, version: X15.5.0, cluster: [e1], certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: clusterdb, client: e1, server: e2 }\n",
	  1, 5, 7, "link clusterdb e1 -> e2 is already implied by cluster: at line 2", EKU_E_BAD_CONFIG },
	{ "links of the same ends but different kinds are not duplicates; reversed sip-neighbor is fine",
	  E_PAIR("X15.5.0", "X15.5.0", "", "", "corp-dual.pem", "corp-dual.pem")
	  "links:\n  - { kind: uc-traversal, client: expc1, server: expe1 }\n"
	  "  - { kind: ssh-tunnel, client: expc1, server: expe1 }\n"
	  "  - { kind: sip-neighbor, client: expe1, server: expc1 }\n"
	  "  - { kind: sip-neighbor, client: expc1, server: expe1 }\n"
	  "  - { kind: bogus, client: expc1, server: expe1 }\n",
	  1, 9, 13, "link kind: unknown value 'bogus'", EKU_E_BAD_CONFIG },
	/* Issue 8: inputs that would block, never end or hang libfyaml. */
	{ "certificate named as a device: refused before reading (would never end)",
	  "nodes:\n  - { name: a, product: cucm, certificates: { server: /dev/zero } }\n",
	  1, 2, 55, "certificates.server: /dev/zero: not a regular file or folder", EKU_E_IO },
	{ "invalid UTF-8: refused at its position before libfyaml sees it",
	  "nodes:\n  - { name: a\xff, product: cucm }\n", 1, 2, 14, "not UTF-8 text", EKU_E_BAD_CONFIG },
	/* Issue 8: inventories with nothing to plan each say what they are. */
	{ "empty file: its own message, not a syntax error",
	  "", 1, 1, 1, "inventory is empty", EKU_E_EMPTY },
	{ "file with only comments: says so",
	  "# edge inventory, to be written\n\n  # later\n", 1, 1, 1, "only comments", EKU_E_EMPTY },
	{ "nodes: [] is refused: nothing to plan",
	  "deployment: x\nnodes: []\n", 1, 2, 1, "nodes: the list is empty", EKU_E_EMPTY },
	{ "top level is a list, not a mapping",
	  "- name: a\n- name: b\n", 1, 1, 3, "the top level is a list", EKU_E_BAD_CONFIG },
	{ "at: before 1970 is refused, not judged as year 0",
	  "at: 0000-01-01\nnodes:\n  - { name: a, product: cucm, certificates: { server: corp-dual.pem } }\n",
	  1, 1, 5, "not a date between 1970-01-01 and 9999-12-31", EKU_E_BAD_CONFIG },
	/* Issue 8: the inventory is read by the same walker as the gateway config. */
	{ "acme enabled: True is a boolean, as in the gateway config: so a CA is needed",
	  "nodes:\n  - { name: a, product: cucm, acme: { enabled: True }, certificates: { server: corp-dual.pem } }\n",
	  1, 2, 31, "acme: name the CA", EKU_E_BAD_CONFIG },
	{ "acme enabled: not a boolean: the spellings both readers accept",
	  "nodes:\n  - { name: a, product: cucm, acme: { enabled: maybe }, certificates: { server: corp-dual.pem } }\n",
	  1, 2, 48, "acme.enabled: expected true or false (or yes/no, on/off), found 'maybe'", EKU_E_BAD_CONFIG },
	{ "duplicate key: refused at the second one",
	  "nodes:\n  - { name: a, product: cucm, certificates: { server: corp-dual.pem } }\nnodes: []\n",
	  1, 3, 1, "YAML syntax error: duplicate key", EKU_E_BAD_CONFIG },
	{ "top level is a single value, not a mapping",
	  "hello\n", 1, 1, 1, "the top level is a single value ('hello')", EKU_E_BAD_CONFIG },
};

static void run_diag(void **state)
{
	const struct diag_case *dc = *state;
	eku_plan *p = eku_plan_new();
	const struct eku_diag *d;

	assert_non_null(p);
	assert_int_equal(eku_plan_set_system_bundle(p, ""), 0);
	assert_int_equal(eku_plan_load_mem(p, "inv.yaml", certdir, dc->yaml, strlen(dc->yaml)), -1);
	for (size_t i = 0; i < eku_plan_diag_count(p); i++)
		print_message("  %d:%d: %s\n", eku_plan_diag(p, i)->line, eku_plan_diag(p, i)->column,
			eku_plan_diag(p, i)->message);
	assert_int_equal(eku_plan_diag_count(p), dc->count);
	d = eku_plan_diag(p, 0);
	assert_int_equal(d->line, dc->line);
	assert_int_equal(d->column, dc->column);
	if (strstr(d->message, dc->contains) == NULL)
		print_error("'%s' not in '%s'\n", dc->contains, d->message);
	assert_non_null(strstr(d->message, dc->contains));
	assert_int_equal(d->code, dc->code);
	assert_string_equal(d->source, "inv.yaml");
	eku_plan_free(p);
}

/* The JSON document has the shape. */
/* --- options: dates and consistency (issue 8 #1, #2, #4) ----------------------- */

struct option_case {
	const char *name;
	const char *at;
	const char *body;
	const char *finding;
	char option;             /* 'A'..'D' */
	bool available;
	const char *renew_by, *lasts_until, *available_until; /* NULL: not checked, "": none */
	const char *has[3];      /* substrings the option's text must hold */
	const char *lacks;       /* ... must not hold, NULL to skip */
};

#define GENERIC_LINK(cert, acme)                                                        \
	"nodes:\n"                                                                      \
	"  - { name: c, product: generic-openssl, certificates: { server: " cert " }" acme " }\n" \
	"  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n" \
	"links:\n  - { kind: generic-mtls, client: c, server: api }\n"

static const struct option_case option_cases[] = {
	/* #1: the text once printed the cut-off as the end of the renewed
	 * certificate ("buys time until about 2027-02-28"). */
	{ "B: renewing on the last day with clientAuth lasts until 2027-09-16, not the cut-off", "2026-11-27",
	  GENERIC_LINK("dc-dual-long.pem", ""), "link:generic-mtls:c->api", 'B', true, "2027-02-28", "2027-09-16",
	  "2027-02-28", { "renew by 2027-02-28", "until about 2027-09-16", "renewed today: until about 2027-06-15" },
	  "buys time until" },
	{ "B: a certificate that expires before the cut-off is renewed by its expiry", "2026-11-27",
	  GENERIC_LINK("dc-dual.pem", ""), "link:generic-mtls:c->api", 'B', true, "2027-02-15", "2027-09-03",
	  "2027-02-28", { "renew by 2027-02-15", "requested explicitly", NULL }, NULL },
	/* #2: Let's Encrypt's tlsclient certificates live 90 days, not the
	 * 200-day cap; ACME renews with a third left, so renew by then. */
	{ "B: Let's Encrypt tlsclient lasts 90 days, capped, not the cap alone", "2026-03-01",
	  GENERIC_LINK("le-dual-acme.pem", ", acme: { enabled: true, ca: letsencrypt, profile: tlsclient }"),
	  "link:generic-mtls:c->api", 'B', true, "2026-03-15", "2026-06-13", "2026-07-07",
	  { "lasts 90 days (le-tlsclient-90d)", "ACME profile 'tlsclient'", NULL }, "200 days" },
	{ "B: closed once the vendor's last clientAuth day has passed", "2026-11-27",
	  GENERIC_LINK("le-server-only.pem", ""), "link:generic-mtls:c->api", 'B', false, "", "", "",
	  { "issues no clientAuth since 2026-07-08", NULL, NULL }, NULL },
	/* #4: D for an Expressway-E certificate cannot name C, which is closed. */
	{ "D: E's separate client certificate comes from A only when C is closed", "2026-11-27",
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.3.2, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: sbc, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: b2b-sip, client: expe1, server: sbc }\n",
	  "link:b2b-sip:expe1->sbc", 'D', true, NULL, NULL, NULL,
	  { "from an alternative root, option A; C is closed for it", NULL, NULL }, "option A or C" },
	/* #4 / DOMAIN 4C: before X15.5 Expressway-E's one certificate also
	 * serves browsers, which do not trust the alternative roots. */
	{ "A: closed for Expressway-E's one certificate before X15.5, a source for D's client certificate",
	  "2026-11-27",
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.3.2, certificates: { server: le-server-only.pem } }\n"
	  "  - { name: sbc, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: b2b-sip, client: expe1, server: sbc }\n",
	  "link:b2b-sip:expe1->sbc", 'A', false, NULL, NULL, NULL,
	  { "must stay browser-trusted", "after the upgrade of option D", NULL }, "no software upgrade needed" },
	/* #4: an mra-sip finding with two causes: C's certificate loses
	 * clientAuth that E requires on every version (X15.5's separate client
	 * certificate), and E's lacks clientAuth that C checks before X15.4. */
	{ "D: an mra-sip finding with two causes names the fix of each", "2026-11-27",
	  E_PAIR("X15.3.2", "X15.3.2", "", "", "le-server-only.pem", "dc-dual.pem")
	  "links:\n  - { kind: mra-sip, client: expc1, server: expe1 }\n",
	  "link:mra-sip:expc1->expe1", 'D', true, NULL, NULL, NULL,
	  { "upgrade expc1 to X15.4", "upgrade expc1 to X15.5", "exp-traversal-c-clientauth" }, NULL },
	{ "C: open for C's certificate, closed for E's: the option says what it leaves", "2026-11-27",
	  E_PAIR("X15.3.2", "X15.3.2", "", "", "le-server-only.pem", "dc-dual.pem")
	  "links:\n  - { kind: mra-sip, client: expc1, server: expe1 }\n",
	  "link:mra-sip:expc1->expe1", 'C', false, NULL, NULL, NULL,
	  { "Expressway-E must keep a public certificate", "does not resolve the finding", NULL }, NULL },
};

static void check_date(const char *what, int64_t t, const char *want)
{
	char d[16];

	if (want == NULL)
		return;
	if (strcmp(t ? eku_time_date(t, d, sizeof(d)) : "", want) != 0)
		fail_msg("%s: %s, want %s", what, t ? d : "none", want);
}

static void run_option(void **state)
{
	const struct option_case *oc = *state;
	const struct eku_option *o;
	const struct eku_finding *f;
	char yaml[8192];
	eku_plan *p;

	snprintf(yaml, sizeof(yaml), "%s%s", roots, oc->body);
	p = load(yaml, oc->at, false);
	assert_int_equal(eku_plan_diag_count(p), 0);
	assert_int_equal(eku_plan_run(p), 0);
	f = eku_plan_finding_by_id(p, oc->finding);
	assert_non_null(f);
	assert_int_equal(f->n_options, 4);
	o = &f->options[oc->option - 'A'];
	print_message("  option %c: %s\n", o->id, o->why);
	assert_int_equal(o->available, oc->available);
	check_date("renew_by", o->renew_by, oc->renew_by);
	check_date("lasts_until", o->lasts_until, oc->lasts_until);
	check_date("available_until", o->available_until, oc->available_until);
	for (size_t i = 0; i < 3 && oc->has[i] != NULL; i++)
		if (strstr(o->why, oc->has[i]) == NULL)
			fail_msg("option %c lacks '%s'", o->id, oc->has[i]);
	if (oc->lacks != NULL && strstr(o->why, oc->lacks) != NULL)
		fail_msg("option %c says '%s'", o->id, oc->lacks);
	eku_plan_free(p);
}

static void json_shape(void **state)
{
	char yaml[4096];
	eku_plan *p;
	json_t *doc, *f;

	(void)state;
	snprintf(yaml, sizeof(yaml), "%sdeployment: lab\n%s", roots,
		E_PAIR("X15.3.2", "X15.3.2", "", "", "le-server-only.pem", "dc-dual.pem")
		"links:\n  - { kind: mra-sip, client: expc1, server: expe1 }\n");
	p = load(yaml, "2026-11-27", false);
	assert_int_equal(eku_plan_run(p), 0);
	doc = eku_plan_json(p);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "eku/1");
	assert_string_equal(json_string_value(json_object_get(doc, "deployment")), "lab");
	assert_string_equal(json_string_value(json_object_get(doc, "at")), "2026-11-27T00:00:00Z");
	f = json_array_get(json_object_get(doc, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "broken");
	assert_string_equal(json_string_value(json_object_get(f, "kind")), "link");
	assert_int_equal(json_array_size(json_object_get(f, "options")), 4);
	assert_true(json_array_size(json_object_get(doc, "actions")) > 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "broken")), 1);
	json_decref(doc);
	eku_plan_free(p);
}

/* --- live inputs: host:port certificates read by the caller ------------------ */

static const char live_body[] =
	"nodes:\n"
	"  - { name: remote, product: generic-openssl, certificates: { server: 'peer.example:5061' } }\n"
	"  - { name: other, product: generic-openssl, certificates: { server: 'other.example:8443' } }\n"
	"  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	"links:\n  - { kind: generic-mtls, client: remote, server: api }\n"
	"  - { kind: generic-mtls, client: other, server: api }\n";

static eku_plan *load_live(void)
{
	char yaml[4096];
	eku_plan *p;

	snprintf(yaml, sizeof(yaml), "%s%s", roots, live_body);
	p = load(yaml, "2026-11-27", false);
	assert_int_equal(eku_plan_diag_count(p), 0);
	assert_int_equal(eku_plan_endpoint_count(p), 2);
	return p;
}

static eku_certlist *cert_file(const char *name)
{
	char path[512];
	eku_error err = { 0 };
	eku_certlist *l;

	snprintf(path, sizeof(path), "%s/%s", certdir, name);
	l = eku_certlist_load_strict(path, &err);
	assert_non_null(l);
	return l;
}

static int64_t instant(const char *s)
{
	int64_t t = 0;

	assert_int_equal(eku_time_parse(s, &t), 0);
	return t;
}

/* A chain set for an endpoint is judged like a file and the findings say
 * where and when it was read; an endpoint left alone stays unknown. */
static void live_chain_is_judged(void **state)
{
	eku_plan *p = load_live();
	const struct eku_finding *f;
	struct eku_plan_live_input in;
	json_t *doc, *li;

	(void)state;
	assert_int_equal(eku_plan_set_endpoint_chain(p, 0, cert_file("dc-server-only.pem"),
		instant("2026-11-26T10:00:00Z"), "192.0.2.7:5061"), 0);
	assert_int_equal(eku_plan_run(p), 0);
	f = eku_plan_finding_by_id(p, "link:generic-mtls:remote->api");
	assert_string_equal(eku_severity_name(f->severity), "broken");
	assert_true(eku_strv_contains(&f->reasons, "CLIENT_EKU_MISSING"));
	assert_false(eku_strv_contains(&f->reasons, "CERT_NOT_READ"));
	assert_non_null(strstr(f->explanation, "remote's certificate was read live from peer.example:5061 at "
		"2026-11-26T10:00:00Z (via 192.0.2.7:5061)."));
	f = eku_plan_finding_by_id(p, "node:remote");
	assert_int_not_equal(f->severity, EKU_SEV_UNKNOWN);
	assert_non_null(strstr(f->explanation, "read live from peer.example:5061"));
	f = eku_plan_finding_by_id(p, "link:generic-mtls:other->api");
	assert_string_equal(eku_severity_name(f->severity), "unknown");
	assert_non_null(strstr(f->explanation, "was not read live: run 'eku plan --scan'"));
	assert_int_equal(eku_plan_unread_inputs(p)->n, 1);
	assert_string_equal(eku_plan_unread_inputs(p)->v[0], "other: other.example:8443");

	assert_int_equal(eku_plan_live_input_count(p), 1);
	assert_int_equal(eku_plan_live_input_get(p, 0, &in), 0);
	assert_string_equal(in.node, "remote");
	assert_string_equal(in.role, "server");
	assert_string_equal(in.endpoint, "peer.example:5061");
	assert_string_equal(in.source, "192.0.2.7:5061");
	assert_null(in.failure);
	assert_int_equal(in.chain_length, 2);
	assert_int_equal(eku_plan_live_input_get(p, 1, &in), -1);

	doc = eku_plan_json(p);
	li = json_array_get(json_object_get(doc, "live_inputs"), 0);
	assert_string_equal(json_string_value(json_object_get(li, "result")), "read");
	assert_string_equal(json_string_value(json_object_get(li, "read_at")), "2026-11-26T10:00:00Z");
	assert_string_equal(json_string_value(json_object_get(li, "endpoint")), "peer.example:5061");
	json_decref(doc);
	eku_plan_free(p);
}

/* A failure keeps the input unknown with its class; a later outcome for the
 * same endpoint replaces the earlier one (ASan: nothing leaks). */
static void live_failure_and_replacement(void **state)
{
	eku_plan *p = load_live();
	const struct eku_finding *f;

	(void)state;
	assert_int_equal(eku_plan_set_endpoint_chain(p, 0, cert_file("dc-dual.pem"), instant("2026-11-26"), NULL), 0);
	assert_int_equal(eku_plan_set_endpoint_failure(p, 0, "refused", "connect: Connection refused",
		instant("2026-11-26T11:00:00Z"), NULL), 0);
	assert_int_equal(eku_plan_run(p), 0);
	f = eku_plan_finding_by_id(p, "link:generic-mtls:remote->api");
	assert_string_equal(eku_severity_name(f->severity), "unknown");
	assert_true(eku_strv_contains(&f->reasons, "CERT_NOT_READ"));
	assert_non_null(strstr(f->explanation, "reading it live at 2026-11-26T11:00:00Z failed (refused: connect: "
		"Connection refused)"));
	assert_string_equal(eku_plan_unread_inputs(p)->v[0],
		"remote: peer.example:5061 (refused at 2026-11-26T11:00:00Z: connect: Connection refused)");

	/* and back to a chain, judged on the next run */
	assert_int_equal(eku_plan_set_endpoint_chain(p, 0, cert_file("dc-dual.pem"), instant("2026-11-26T12:00:00Z"),
		NULL), 0);
	assert_int_equal(eku_plan_live_input_count(p), 1);
	assert_int_equal(eku_plan_run(p), 0);
	f = eku_plan_finding_by_id(p, "link:generic-mtls:remote->api");
	assert_string_equal(eku_severity_name(f->severity), "at_risk");
	assert_true(eku_strv_contains(&f->reasons, "RENEWAL_DROPS_CLIENTAUTH"));

	/* a new load drops the outcomes: endpoint indexes belong to the old inventory */
	eku_plan_free(p);
	p = load_live();
	assert_int_equal(eku_plan_live_input_count(p), 0);
	eku_plan_free(p);
}

/* Misuse: the chain is owned by the plan even when the call fails. */
static void live_misuse(void **state)
{
	eku_plan *p = load_live();

	(void)state;
	assert_int_equal(eku_plan_set_endpoint_chain(p, 2, cert_file("dc-dual.pem"), 1, NULL), -1);
	assert_int_equal(eku_plan_error(p)->code, EKU_E_USAGE);
	assert_int_equal(eku_plan_set_endpoint_chain(p, 0, eku_certlist_new(), 1, NULL), -1);
	assert_int_equal(eku_plan_error(p)->code, EKU_E_USAGE);
	assert_int_equal(eku_plan_set_endpoint_failure(p, 5, "dns", NULL, 1, NULL), -1);
	assert_int_equal(eku_plan_live_input_count(p), 0);
	eku_plan_free(p);
}

/* Saved chains round-trip with their read instant; a symlink in the way is
 * refused; a missing file is a "file" failure. */
static void live_chain_files(void **state)
{
	char dir[] = "/tmp/eku-plan-chains-XXXXXX", path[512], cmd[600];
	eku_plan *p = load_live();
	eku_certlist *l = cert_file("dc-server-only.pem");
	eku_error err = { 0 };
	struct eku_plan_live_input in;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(eku_plan_write_endpoint_chain(p, 0, dir, l, instant("2026-11-25T08:30:00Z"), "192.0.2.7:5061",
		&err), 0);
	snprintf(path, sizeof(path), "%s/remote-server.pem", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	snprintf(path, sizeof(path), "%s/other-server.pem", dir);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(eku_plan_write_endpoint_chain(p, 1, dir, l, 1, NULL, &err), -1);
	assert_int_equal(err.code, EKU_E_IO);
	assert_non_null(strstr(err.message, "refusing to replace"));
	assert_int_equal(unlink(path), 0);

	assert_int_equal(eku_plan_read_endpoint_chains(p, dir), 1);
	assert_int_equal(eku_plan_live_input_get(p, 0, &in), 0);
	assert_null(in.failure);
	assert_int_equal(in.read_at, instant("2026-11-25T08:30:00Z"));
	assert_int_equal(in.chain_length, 2);
	assert_int_equal(eku_plan_live_input_get(p, 1, &in), 0);
	assert_string_equal(in.failure, "file");
	assert_non_null(strstr(in.message, "other-server.pem: no saved chain"));
	assert_int_equal(eku_plan_run(p), 0);
	assert_string_equal(eku_severity_name(eku_plan_finding_by_id(p, "link:generic-mtls:remote->api")->severity),
		"broken");
	eku_certlist_free(l);
	eku_plan_free(p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	const char *src = getenv("EKU_SRCDIR");
	char cmd[1024];

	(void)state;
	snprintf(certdir, sizeof(certdir), "/tmp/eku-plan-test-XXXXXX");
	if (src == NULL || mkdtemp(certdir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/plan/make-certs.sh' '%s'", src, certdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	enum { NS = sizeof(scenarios) / sizeof(scenarios[0]), ND = sizeof(diag_cases) / sizeof(diag_cases[0]),
	       NA = sizeof(action_cases) / sizeof(action_cases[0]), NO = sizeof(option_cases) / sizeof(option_cases[0]) };
	struct CMUnitTest tests[NS + NA + NO + ND + 5];
	size_t n = 0;

	for (size_t i = 0; i < NS; i++)
		tests[n++] = (struct CMUnitTest){ scenarios[i].name, run_scenario, NULL, NULL, (void *)&scenarios[i] };
	for (size_t i = 0; i < NA; i++)
		tests[n++] = (struct CMUnitTest){ action_cases[i].name, run_actions, NULL, NULL, (void *)&action_cases[i] };
	for (size_t i = 0; i < NO; i++)
		tests[n++] = (struct CMUnitTest){ option_cases[i].name, run_option, NULL, NULL, (void *)&option_cases[i] };
	for (size_t i = 0; i < ND; i++)
		tests[n++] = (struct CMUnitTest){ diag_cases[i].name, run_diag, NULL, NULL, (void *)&diag_cases[i] };
	tests[n++] = (struct CMUnitTest){ "JSON document shape", json_shape, NULL, NULL, NULL };
	tests[n++] = (struct CMUnitTest){ "live: a chain set for an endpoint is judged and cited", live_chain_is_judged,
		NULL, NULL, NULL };
	tests[n++] = (struct CMUnitTest){ "live: a failure stays unknown; outcomes replace each other",
		live_failure_and_replacement, NULL, NULL, NULL };
	tests[n++] = (struct CMUnitTest){ "live: misuse fails with EKU_E_USAGE and frees the chain", live_misuse, NULL,
		NULL, NULL };
	tests[n++] = (struct CMUnitTest){ "live: saved chain files round-trip, symlinks refused", live_chain_files, NULL,
		NULL, NULL };
	return _cmocka_run_group_tests("plan", tests, n, setup, teardown);
}
