/* Scenario tests for eku plan: one named case per behaviour of DOMAIN.md
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
	  { { "link:clusterdb:expe1->expe2", "broken", "", "CLIENT_EKU_MISSING", NULL, "YNNY" },
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
	  { { "link:mra-sip:expc1->expe1", "broken", "", "CLIENT_EKU_MISSING,BOTH_EKUS_REQUIRED", NULL, "YNNY" } }, NULL },
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
	  { { "link:sip-neighbor:expe1->cucm1", "broken", "", "CLIENT_EKU_MISSING", NULL, "YNNY" },
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
	{ "--at far ahead: a renewal before the cut-off keeps clientAuth until the next one",
	  "2027-08-01", false,
	  "nodes:\n"
	  "  - { name: c, product: generic-openssl, certificates: { server: dc-dual.pem } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: c, server: api }\n",
	  { { "link:generic-mtls:c->api", "at_risk", "2027-09-03", "RENEWAL_DUE,RENEWAL_DROPS_CLIENTAUTH",
	      "EXPIRED,CLIENT_EKU_MISSING", NULL } }, NULL },
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
	{ "Expressway-E: option C (private PKI) is never offered",
	  "2026-11-27", false,
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.3.2, certificates: { server: dc-dual.pem } }\n"
	  "  - { name: sbc, product: generic-openssl, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: b2b-sip, client: expe1, server: sbc }\n",
	  { { "link:b2b-sip:expe1->sbc", "at_risk", "2027-09-03", "RENEWAL_DROPS_CLIENTAUTH", NULL, "YYNY" } }, NULL },
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
	  { { "link:generic-mtls:sbc2->gw", "at_risk", "2027-09-03", "RENEWAL_DROPS_CLIENTAUTH", NULL, "YYYY" } }, NULL },
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
	    { "2027-02-28", "Renew sbc's certificate with clientAuth at DigiCert", "link:b2b-sip:sbc->expe1" } } },
	{ "actions: X15.4 alone while X15.5 is not released, X15.5 planned by the later break",
	  "2026-03-01", MERGE_BODY("le-server-only-early.pem", "dc-dual-early.pem"), 2, "covers",
	  { { "2026-03-01", "Upgrade expc1, expe1 to X15.4 (interim fix)", "link:mra-sip:expc1->expe1" },
	    { "2027-04-18", "Upgrade expc1, expe1 to X15.5 and later (comprehensive fix), Expressway-C and -E "
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
	  { { "2027-06-17", "Upgrade expe1 to X15.5", "link:b2b-sip:sbc->expe1,link:b2b-sip:sbc2->expe1" } } },
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
};

static const struct diag_case diag_cases[] = {
	{ "unknown top-level key, with the nearest spelling",
	  "nodez: []\n", 2, 1, 1, "did you mean 'nodes'" },
	{ "unknown product, at the value",
	  "nodes:\n  - name: a\n    product: expresway-e\n    version: X15.4.0\n    certificates: { server: corp-dual.pem }\n",
	  1, 3, 14, "did you mean 'expressway-e'" },
	{ "unknown version with the known bands",
	  "nodes:\n  - name: a\n    product: expressway-c\n    version: X15.3.9\n    certificates: { server: corp-dual.pem }\n",
	  1, 4, 14, "not a known version" },
	{ "link naming an unknown node",
	  "nodes:\n  - { name: expc1, product: cucm, certificates: { server: corp-dual.pem } }\n"
	  "  - { name: b, product: cucm, certificates: { server: corp-dual.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: expc2, server: b }\n",
	  1, 5, 35, "did you mean 'expc1'" },
	{ "missing certificate file, with the nearest file name",
	  "nodes:\n  - { name: a, product: cucm, certificates: { server: corp-duall.pem } }\n",
	  1, 2, 55, "did you mean 'corp-dual.pem'" },
	{ "wrong type: cluster as a mapping",
	  "nodes:\n  - name: a\n    product: cucm\n    cluster: { x: y }\n    certificates: { server: corp-dual.pem }\n",
	  1, 4, 16, "expected a list" },
	{ "unknown setting key",
	  "nodes:\n  - name: a\n    product: expressway-e\n    version: X15.5.0\n    settings: { eku_cheking: off }\n"
	  "    certificates: { server: corp-dual.pem }\n",
	  1, 5, 17, "did you mean 'eku_checking'" },
	{ "bad setting value",
	  "nodes:\n  - name: a\n    product: expressway-e\n    version: X15.3.2\n    settings: { cluster_tls_verify: enforced }\n"
	  "    certificates: { server: corp-dual.pem }\n",
	  1, 5, 37, "did you mean 'enforcing'" },
	{ "setting that does not exist on that version",
	  "nodes:\n  - name: a\n    product: expressway-e\n    version: X15.3.2\n    settings: { eku_checking: off }\n"
	  "    certificates: { server: corp-dual.pem }\n",
	  1, 5, 17, "does not exist on expressway-e X15.3.2" },
	{ "every problem at once",
	  "deploymnt: x\nnodes:\n  - { name: a, product: cucmm, certificates: { server: nothere.pem } }\n"
	  "links:\n  - { kind: generic-mtls, client: a, server: zz, tls_verify: maybe }\n",
	  5, 1, 1, "did you mean 'deployment'" },
	{ "eku-gateway ignore-client-eku without an allow-list, at the policy value",
	  "nodes:\n  - name: gw\n    product: eku-gateway\n    settings: { eku_policy: ignore-client-eku }\n"
	  "    certificates: { server: corp-dual.pem }\n",
	  1, 4, 29, "ignore-client-eku needs allow_list: on" },
	{ "YAML syntax error position",
	  "nodes:\n  - { name: a, product: [cucm\n", 1, 3, 1, "YAML syntax error" },
	{ "unknown CA vendor in public_roots",
	  "public_roots:\n  - { file: le-root.pem, ca_vendor: letsencrpyt }\nnodes: []\n",
	  1, 2, 37, "did you mean 'letsencrypt'" },
};

static void run_diag(void **state)
{
	const struct diag_case *dc = *state;
	eku_plan *p = eku_plan_new();
	const struct eku_plan_diag *d;

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
	assert_non_null(strstr(d->message, dc->contains));
	assert_string_equal(d->source, "inv.yaml");
	eku_plan_free(p);
}

/* The JSON document has the shape. */
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
	       NA = sizeof(action_cases) / sizeof(action_cases[0]) };
	struct CMUnitTest tests[NS + NA + ND + 1];
	size_t n = 0;

	for (size_t i = 0; i < NS; i++)
		tests[n++] = (struct CMUnitTest){ scenarios[i].name, run_scenario, NULL, NULL, (void *)&scenarios[i] };
	for (size_t i = 0; i < NA; i++)
		tests[n++] = (struct CMUnitTest){ action_cases[i].name, run_actions, NULL, NULL, (void *)&action_cases[i] };
	for (size_t i = 0; i < ND; i++)
		tests[n++] = (struct CMUnitTest){ diag_cases[i].name, run_diag, NULL, NULL, (void *)&diag_cases[i] };
	tests[n++] = (struct CMUnitTest){ "JSON document shape", json_shape, NULL, NULL, NULL };
	return _cmocka_run_group_tests("plan", tests, n, setup, teardown);
}
