/* Unit tests of the gateway: config diagnostics (file:line:column), small
 * parsers, SNI selection, PROXY v2 writer/parser, metrics rendering. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>

#include "../../src/gateway/gw_config.h"
#include "../../src/gateway/gw_metrics.h"
#include "../../src/gateway/gw_proxy.h"
#include "../../src/gateway/gw_vcache.h"

#define HEAD "server_store:\n  - {name: a, cert: a.pem, key: a.key}\n"
#define ROUTE_OK "routes:\n  - name: r\n    listen: 127.0.0.1:8443\n    upstream: {address: 127.0.0.1:1}\n"

/* One config case: the YAML, and one diagnostic that must be among those
 * reported (line, column, text), or line 0 when the config must be valid. */
static const struct cfg_case {
	const char *name;
	const char *yaml;
	int line, col;
	const char *text;
} cfg_cases[] = {
	{ "valid minimal config", HEAD ROUTE_OK, 0, 0, NULL },
	{ "unknown top-level key", "colour: blue\n" HEAD ROUTE_OK, 1, 1, "unknown key 'colour'" },
	{ "bad duration", "limits: {idle_timeout: soon}\n" HEAD ROUTE_OK, 1, 24, "not a duration" },
	{ "non-numeric listen address", HEAD "routes:\n  - name: r\n    listen: [localhost:1]\n"
		"    upstream: {address: 127.0.0.1:1}\n", 5, 14, "not numeric address:port" },
	{ "ignore-client-eku without allow-list", HEAD ROUTE_OK "    policy: ignore-client-eku\n",
		4, 5, "needs an allow-list" },
	{ "bad policy name", HEAD ROUTE_OK "    policy: lenient\n", 7, 13, "'policy' must be" },
	{ "bad client_auth", HEAD ROUTE_OK "    client_auth: maybe\n", 7, 18, "none, optional or require" },
	{ "missing upstream", HEAD "routes:\n  - name: r\n    listen: 127.0.0.1:8443\n", 4, 5,
		"missing required key 'upstream'" },
	{ "client_cert not in store", HEAD "routes:\n  - name: r\n    listen: 127.0.0.1:8443\n"
		"    upstream: {address: 127.0.0.1:1, tls: true, client_cert: nope}\n", 6, 62,
		"not in client_store" },
	{ "duplicate listen address", HEAD ROUTE_OK "  - name: s\n    listen: 127.0.0.1:8443\n"
		"    upstream: {address: 127.0.0.1:1}\n", 8, 13, "already used by route 'r'" },
	{ "remote admin needs insecure flag", "admin: {listen: 0.0.0.0:9901}\n" HEAD ROUTE_OK, 1, 17,
		"not a loopback address" },
	{ "proxy_protocol v1 unsupported", HEAD "routes:\n  - name: r\n    listen: 127.0.0.1:8443\n"
		"    upstream: {address: 127.0.0.1:1, proxy_protocol: v1}\n", 6, 54, "must be v2" },
	{ "workers auto", "workers: auto\n" HEAD ROUTE_OK, 0, 0, NULL },
	{ "workers 2", "workers: 2\n" HEAD ROUTE_OK, 0, 0, NULL },
	{ "workers zero", "workers: 0\n" HEAD ROUTE_OK, 1, 10, "'workers' must be auto or a number" },
	{ "workers too many", "workers: 65\n" HEAD ROUTE_OK, 1, 10, "from 1 to 64" },
	{ "workers not a number", "workers: -1\n" HEAD ROUTE_OK, 1, 10, "not '-1'" },
	{ "YAML syntax error", "routes: [\n", 2, 1, "YAML" },
	{ "no routes", HEAD, 1, 1, "missing required key 'routes'" },
	/* Issue 8: the config is read by the same walker as the inventory. */
	{ "unknown key: the nearest spelling, as in the inventory", HEAD "routes:\n  - name: r\n"
		"    listen: 127.0.0.1:8443\n    upstrem: {address: 127.0.0.1:1}\n", 6, 5,
		"unknown key 'upstrem' in route 1; did you mean 'upstream'?" },
	{ "True is a boolean, as in the inventory", HEAD ROUTE_OK "    observe: True\n", 0, 0, NULL },
	{ "not a boolean: the spellings both readers accept", HEAD ROUTE_OK "    observe: maybe\n", 7, 14,
		"observe: expected true or false (or yes/no, on/off), found 'maybe'" },
	{ "duplicate key: refused at the second one", "workers: 1\nworkers: 2\n" HEAD ROUTE_OK, 2, 1,
		"YAML syntax error: duplicate key" },
	/* Issue 9: revocation. */
	{ "crl: one file or a list, crl_expired: warn", "crl: [a.crl, b.crl]\ncrl_expired: warn\n"
		HEAD ROUTE_OK "    crl: r.crl\n", 0, 0, NULL },
	{ "crl_expired: refuse or warn only", "crl_expired: maybe\n" HEAD ROUTE_OK, 1, 14,
		"'crl_expired' must be refuse or warn, not 'maybe'" },
	{ "a route's crl needs client certificates", HEAD ROUTE_OK "    client_auth: none\n"
		"    crl: r.crl\n", 8, 10, "crl checks client certificates" },
	/* Issue 9: a route may verify under the strict structural profile. */
	{ "profile: strict", HEAD ROUTE_OK "    profile: strict\n", 0, 0, NULL },
	{ "profile: openssl or strict only", HEAD ROUTE_OK "    profile: rfc\n", 7, 14,
		"'profile' must be openssl or strict, not 'rfc'" },
	{ "invalid UTF-8: refused at its position", "user: caf\xe9\n" HEAD ROUTE_OK, 1, 10, "not UTF-8 text" },
};

static const struct eku_diag *find_diag(const eku_diaglist *d, const struct cfg_case *c)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == EKU_DIAG_ERROR && strstr(d->v[i].message, c->text) != NULL)
			return &d->v[i];
	return NULL;
}

static void test_config_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cfg_cases) / sizeof(cfg_cases[0]); i++) {
		const struct cfg_case *c = &cfg_cases[i];
		eku_diaglist d = { 0 };
		struct gw_config *cfg = gw_config_load_mem("t.yaml", c->yaml, strlen(c->yaml), false, &d);

		if (c->text == NULL) {
			if (cfg == NULL)
				fail_msg("%s: unexpected error %s", c->name, d.n ? d.v[0].message : "?");
		} else {
			const struct eku_diag *g = find_diag(&d, c);
			if (cfg != NULL || g == NULL)
				fail_msg("%s: expected error '%s' (got %zu diags%s%s)", c->name, c->text,
					d.n, d.n ? ": " : "", d.n ? d.v[0].message : "");
			assert_int_equal(g->code, EKU_E_BAD_CONFIG);
			if (g->line != c->line || g->column != c->col)
				fail_msg("%s: at %d:%d, expected %d:%d", c->name, g->line, g->column,
					c->line, c->col);
		}
		gw_config_free(cfg);
		eku_diaglist_clear(&d);
	}
}

/* Booleans are read as the inventory reads them (yaml/walk.h): any case. */
static void test_bool_spellings(void **state)
{
	static const struct { const char *text; bool value; } v[] = {
		{ "True", true }, { "YES", true }, { "on", true }, { "False", false }, { "Off", false }, { "no", false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char y[512];
		eku_diaglist d = { 0 };
		struct gw_config *c;

		snprintf(y, sizeof(y), HEAD ROUTE_OK "    observe: %s\n", v[i].text);
		c = gw_config_load_mem("t.yaml", y, strlen(y), false, &d);
		if (c == NULL)
			fail_msg("observe: %s refused: %s", v[i].text, d.n ? d.v[0].message : "?");
		assert_int_equal(c->routes[0].observe, v[i].value);
		gw_config_free(c);
		eku_diaglist_clear(&d);
	}
}

static void test_all_errors_at_once(void **state)
{
	const char *y = "colour: blue\nlimits: {idle_timeout: soon, buffer_size: x}\n" HEAD
		"routes:\n  - name: r\n    listen: nowhere\n    policy: lenient\n"
		"    upstream: {address: 127.0.0.1:1}\n";
	eku_diaglist d = { 0 };

	(void)state;
	assert_null(gw_config_load_mem("t.yaml", y, strlen(y), false, &d));
	assert_true(eku_diaglist_errors(&d) >= 4);
	eku_diaglist_clear(&d);
}

static void test_durations(void **state)
{
	static const struct { const char *s; int ok; unsigned ms; } v[] = {
		{ "500ms", 1, 500 }, { "10s", 1, 10000 }, { "10", 1, 10000 }, { "5m", 1, 300000 },
		{ "1h", 1, 3600000 }, { "soon", 0, 0 }, { "-1s", 0, 0 }, { "10d", 0, 0 },
		{ "99999999999h", 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned ms = 0;
		int rc = gw_duration_parse(v[i].s, &ms);
		assert_int_equal(rc == 0, v[i].ok);
		if (v[i].ok)
			assert_int_equal(ms, v[i].ms);
	}
}

static void test_addresses(void **state)
{
	static const struct { const char *s; int ok; int family; } v[] = {
		{ "127.0.0.1:8443", 1, AF_INET }, { "[::1]:8443", 1, AF_INET6 }, { "*:443", 1, AF_INET },
		{ "127.0.0.1", 0, 0 }, { "127.0.0.1:99999", 0, 0 }, { "::1:80", 0, 0 },
		{ "[::1]8443", 0, 0 }, { "host.invalid:1", 0, 0 }, { "1.2.3.4:", 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct gw_addr a = { 0 };
		int rc = gw_addr_parse(v[i].s, false, &a, NULL);
		if ((rc == 0) != v[i].ok)
			fail_msg("%s: rc %d", v[i].s, rc);
		if (v[i].ok)
			assert_int_equal(a.ss.ss_family, v[i].family);
	}
}

static void test_sni_pick(void **state)
{
	struct gw_store_entry e[3] = { 0 };
	struct gw_store s = { 3, e, &e[0] };

	(void)state;
	e[0].name = "default";
	e[1].name = "exact";
	e[2].name = "wild";
	assert_int_equal(eku_strv_push(&e[1].sni, "sip.example.com"), 0);
	assert_int_equal(eku_strv_push(&e[2].sni, "*.example.com"), 0);
	assert_ptr_equal(gw_store_pick(&s, "sip.example.com"), &e[1]);
	assert_ptr_equal(gw_store_pick(&s, "SIP.Example.COM"), &e[1]);
	assert_ptr_equal(gw_store_pick(&s, "xmpp.example.com"), &e[2]);
	assert_ptr_equal(gw_store_pick(&s, "a.b.example.com"), &e[0]); /* one label only */
	assert_ptr_equal(gw_store_pick(&s, "example.com"), &e[0]);
	assert_ptr_equal(gw_store_pick(&s, NULL), &e[0]);
	assert_ptr_equal(gw_store_find(&s, "wild"), &e[2]);
	assert_null(gw_store_find(&s, "nope"));
	eku_strv_clear(&e[1].sni);
	eku_strv_clear(&e[2].sni);
}

static void test_proxy_v2_roundtrip_ipv4(void **state)
{
	struct gw_proxy_info pi = { 0 };
	struct sockaddr_in *s = (void *)&pi.src, *d = (void *)&pi.dst;
	struct gw_proxy_parsed p;
	uint8_t buf[GW_PP2_MAX];
	int n;

	(void)state;
	s->sin_family = d->sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &s->sin_addr);
	inet_pton(AF_INET, "198.51.100.2", &d->sin_addr);
	s->sin_port = htons(40000);
	d->sin_port = htons(5061);
	pi.authority = "sip.example";
	pi.tls = pi.cert_present = pi.verified = true;
	pi.tls_version = "TLSv1.3";
	pi.cipher = "TLS_AES_128_GCM_SHA256";
	pi.cn = "CN=partner";
	pi.allowed_by = "SAN DNS partner.example is allowed";
	pi.eku_class = "server_only";
	pi.policy = "ignore-client-eku";
	pi.has_spki = true;
	memset(pi.spki, 0xAB, 32);
	n = gw_proxy_v2_write(&pi, buf, sizeof(buf));
	assert_true(n > 16);
	assert_int_equal(gw_proxy_v2_parse(buf, (size_t)n, &p), 0);
	assert_int_equal(p.header_len, (size_t)n);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.src_port, 40000);
	assert_int_equal(p.dst_port, 5061);
	assert_memory_equal(p.src_addr, &s->sin_addr, 4);
	assert_string_equal(p.authority, "sip.example");
	assert_string_equal(p.tls_version, "TLSv1.3");
	assert_string_equal(p.cn, "CN=partner");
	assert_int_equal(p.ssl_client, GW_PP2_CLIENT_SSL | GW_PP2_CLIENT_CERT_CONN |
		GW_PP2_CLIENT_CERT_SESS);
	assert_int_equal(p.ssl_verify, 0);
	assert_string_equal(p.allowed_by, pi.allowed_by);
	assert_string_equal(p.eku_class, "server_only");
	assert_string_equal(p.policy, "ignore-client-eku");
	assert_true(p.has_spki);
	assert_memory_equal(p.spki, pi.spki, 32);
	/* Every truncation is refused, never over-read. */
	for (int cut = 0; cut < n; cut++)
		assert_int_equal(gw_proxy_v2_parse(buf, (size_t)cut, &p), -1);
	/* Too small an output buffer is refused. */
	assert_int_equal(gw_proxy_v2_write(&pi, buf, 20), -1);
}

static void test_proxy_v2_ipv6_unverified(void **state)
{
	struct gw_proxy_info pi = { 0 };
	struct sockaddr_in6 *s = (void *)&pi.src, *d = (void *)&pi.dst;
	struct gw_proxy_parsed p;
	uint8_t buf[GW_PP2_MAX];
	int n;

	(void)state;
	s->sin6_family = d->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &s->sin6_addr);
	inet_pton(AF_INET6, "2001:db8::2", &d->sin6_addr);
	pi.tls = true;
	pi.cert_present = true;
	pi.verified = false;          /* permissive pass: identity TLVs are withheld */
	pi.allowed_by = "SAN DNS x is allowed";
	n = gw_proxy_v2_write(&pi, buf, sizeof(buf));
	assert_int_equal(gw_proxy_v2_parse(buf, (size_t)n, &p), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.ssl_verify, 1);
	assert_string_equal(p.allowed_by, "");
	buf[12] = 0x22; /* version 2, unknown command */
	assert_int_equal(gw_proxy_v2_parse(buf, (size_t)n, &p), -1);
}

/* What the PROXY v2 header claims about the client certificate: the identity
 * (verify 0, CN, 0xE0-0xE3) only for a certificate verified on this
 * connection and admitted cleanly by its policy. An upstream that trusts the
 * header must never see an unchecked identity as verified. */
struct pp2_peer_case {
	const char *name;
	enum eku_verify_policy policy;
	bool present, pass, clean, resumed;
	bool identity;                 /* verify 0 + CN + 0xE0-0xE3 */
	uint8_t client;                /* PP2_TYPE_SSL client flags */
};

#define PP2_ALL (GW_PP2_CLIENT_SSL | GW_PP2_CLIENT_CERT_CONN | GW_PP2_CLIENT_CERT_SESS)
static const struct pp2_peer_case pp2_peer_cases[] = {
	{ "enforce: verified and clean", EKU_VERIFY_ENFORCE, true, true, true, false, true, PP2_ALL },
	{ "ignore-client-eku: allow-listed, clean", EKU_VERIFY_IGNORE_CLIENT_EKU, true, true, true,
		false, true, PP2_ALL },
	/* off: verify reports nothing failed because nothing was checked */
	{ "off: self-signed looks clean", EKU_VERIFY_OFF, true, true, true, false, false, PP2_ALL },
	{ "permissive: admitted although it fails", EKU_VERIFY_PERMISSIVE, true, true, false, false,
		false, PP2_ALL },
	{ "permissive: clean", EKU_VERIFY_PERMISSIVE, true, true, true, false, true, PP2_ALL },
	{ "enforce: refused record", EKU_VERIFY_ENFORCE, true, false, false, false, false, PP2_ALL },
	/* resumption runs no verification; the certificate came with an earlier connection */
	{ "enforce: resumed session", EKU_VERIFY_ENFORCE, true, false, false, true, false,
		GW_PP2_CLIENT_SSL | GW_PP2_CLIENT_CERT_SESS },
	{ "enforce: resumed, record clean", EKU_VERIFY_ENFORCE, true, true, true, true, false,
		GW_PP2_CLIENT_SSL | GW_PP2_CLIENT_CERT_SESS },
	{ "optional: no certificate", EKU_VERIFY_ENFORCE, false, false, false, false, false,
		GW_PP2_CLIENT_SSL },
};

static void test_proxy_v2_identity_only_when_verified(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pp2_peer_cases) / sizeof(pp2_peer_cases[0]); i++) {
		const struct pp2_peer_case *tc = &pp2_peer_cases[i];
		struct gw_peer_result peer = { 0 };
		struct gw_proxy_info pi = { 0 };
		struct gw_proxy_parsed p;
		uint8_t buf[GW_PP2_MAX];
		int n;

		print_message("case: %s\n", tc->name);
		peer.present = tc->present;
		peer.pass = tc->pass;
		peer.clean = tc->clean;
		if (tc->present) {
			snprintf(peer.subject, sizeof(peer.subject), "CN=mallory");
			memset(peer.spki_hex, 'a', 64);
			snprintf(peer.allowed_by, sizeof(peer.allowed_by), "CN mallory is allowed");
			peer.eku_class = EKU_CLASS_CLIENT_ONLY;
		}
		pi.tls = true;
		pi.tls_version = "TLSv1.3";
		pi.cipher = "TLS_AES_128_GCM_SHA256";
		gw_proxy_info_set_peer(&pi, &peer, tc->policy, tc->resumed);
		n = gw_proxy_v2_write(&pi, buf, sizeof(buf));
		assert_true(n > 16);
		assert_int_equal(gw_proxy_v2_parse(buf, (size_t)n, &p), 0);
		assert_int_equal(p.ssl_client, tc->client);
		/* version and cipher describe the connection, not the peer: always sent */
		assert_string_equal(p.tls_version, "TLSv1.3");
		assert_string_equal(p.cipher, "TLS_AES_128_GCM_SHA256");
		if (tc->identity) {
			assert_int_equal(p.ssl_verify, 0);
			assert_string_equal(p.cn, "CN=mallory");
			assert_string_equal(p.allowed_by, "CN mallory is allowed");
			assert_string_equal(p.eku_class, "client_only");
			assert_string_equal(p.policy, eku_verify_policy_name(tc->policy));
			assert_true(p.has_spki);
		} else {
			assert_int_not_equal(p.ssl_verify, 0);
			assert_string_equal(p.cn, "");
			assert_string_equal(p.allowed_by, "");
			assert_string_equal(p.eku_class, "");
			assert_string_equal(p.policy, "");
			assert_false(p.has_spki);
		}
	}
}

/* Verdict cache: entries expire, are evicted least-recently-used first, and
 * the key covers every certificate the peer sent (not only the leaf). */
static X509 *self_signed(const char *cn)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();

	assert_non_null(k);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
		(const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	EVP_PKEY_free(k);
	return x;
}

static void test_vcache(void **state)
{
	struct gw_vcache *vc = gw_vcache_new(2);
	X509 *a = self_signed("a"), *b = self_signed("b");
	STACK_OF(X509) *sent = sk_X509_new_null();
	struct gw_verdict v = { .ok = 1 };
	uint8_t ka[32], kab[32], kb[32], kc[32];

	(void)state;
	assert_non_null(vc);
	assert_int_equal(gw_vcache_key(a, NULL, ka), 0);
	sk_X509_push(sent, b);
	assert_int_equal(gw_vcache_key(a, sent, kab), 0);   /* same leaf, other chain */
	assert_int_equal(gw_vcache_key(b, NULL, kb), 0);
	assert_memory_not_equal(ka, kab, 32);
	gw_vcache_put(vc, ka, 100, &v);
	assert_null(gw_vcache_get(vc, kab, 50));             /* chain is part of the key */
	assert_non_null(gw_vcache_get(vc, ka, 99));
	assert_null(gw_vcache_get(vc, ka, 100));             /* expired at 'expires' */
	assert_int_equal(gw_vcache_count(vc), 0);
	gw_vcache_put(vc, ka, 100, &v);
	gw_vcache_put(vc, kb, 100, &v);
	assert_non_null(gw_vcache_get(vc, ka, 1));           /* a is now most recent */
	memcpy(kc, kb, 32);
	kc[31] ^= 1;
	gw_vcache_put(vc, kc, 100, &v);                      /* evicts b */
	assert_int_equal(gw_vcache_count(vc), 2);
	assert_null(gw_vcache_get(vc, kb, 1));
	assert_non_null(gw_vcache_get(vc, ka, 1));
	assert_false(gw_vcache_get(vc, kc, 1)->cached);
	assert_int_equal(gw_vcache_expiry(NULL, 1000), 1000 + GW_VCACHE_TTL);
	sk_X509_free(sent);
	X509_free(a);
	X509_free(b);
	gw_vcache_free(vc);
}

static void test_metrics_render(void **state)
{
	gw_metrics *m = gw_metrics_new();
	struct evbuffer *b = evbuffer_new();
	char *text;
	size_t len;

	(void)state;
	gw_metrics_add(m, "eku_gateway_connections_total", 2, "route", "a\"b\\c\nd", "result", "ok",
		NULL, NULL);
	gw_metrics_add(m, "eku_gateway_connections_total", 3, "route", "a\"b\\c\nd", "result", "ok",
		NULL, NULL);
	assert_int_equal(gw_metrics_get(m, "eku_gateway_connections_total", "route", "a\"b\\c\nd",
		"result", "ok", NULL, NULL), 5);
	assert_int_equal(gw_metrics_render(m, NULL, 7, 3, b), 0);
	len = evbuffer_get_length(b);
	text = calloc(1, len + 1);
	evbuffer_remove(b, text, len);
	assert_non_null(strstr(text, "eku_gateway_connections_total{route=\"a\\\"b\\\\c\\nd\","
		"result=\"ok\"} 5\n"));
	assert_non_null(strstr(text, "# TYPE eku_gateway_would_fail_total counter\n"));
	assert_non_null(strstr(text, "eku_gateway_active_connections 7\n"));
	free(text);
	evbuffer_free(b);
	gw_metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_cases),
		cmocka_unit_test(test_all_errors_at_once),
		cmocka_unit_test(test_bool_spellings),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_sni_pick),
		cmocka_unit_test(test_proxy_v2_roundtrip_ipv4),
		cmocka_unit_test(test_proxy_v2_ipv6_unverified),
		cmocka_unit_test(test_proxy_v2_identity_only_when_verified),
		cmocka_unit_test(test_metrics_render),
		cmocka_unit_test(test_vcache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
