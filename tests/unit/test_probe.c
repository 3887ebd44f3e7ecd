/* Unit tests: target specifications, names, CertificateRequest parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <eku/plan.h>
#include <eku/probe.h>

/* ---- targets ------------------------------------------------------------------ */

static const struct target_case {
	const char *spec;
	int rc;                 /* 0 ok, -1 rejected */
	const char *host;
	uint16_t port;
	enum eku_proto proto;
	const char *sni;
	const char *why;
} target_cases[] = {
	{ "example.com", 0, "example.com", 443, EKU_PROTO_HTTPS, NULL, "port defaults to 443 (https)" },
	{ "mx.example:25", 0, "mx.example", 25, EKU_PROTO_SMTP, NULL, "smtp by port" },
	{ "mx.example:587", 0, "mx.example", 587, EKU_PROTO_SMTP, NULL, "submission by port" },
	{ "expe.example:5061", 0, "expe.example", 5061, EKU_PROTO_SIP, NULL, "sip by port" },
	{ "x:5269", 0, "x", 5269, EKU_PROTO_XMPP_SERVER, NULL, "s2s by port" },
	{ "x:9999", 0, "x", 9999, EKU_PROTO_TLS, NULL, "unknown port: plain TLS" },
	{ "x:2525,starttls=smtp", 0, "x", 2525, EKU_PROTO_SMTP, NULL, "explicit STARTTLS" },
	{ "x:25,starttls=tls", 0, "x", 25, EKU_PROTO_TLS, NULL, "override the port default" },
	{ "x:1,sni=y.example,starttls=xmpp-client", 0, "x", 1, EKU_PROTO_XMPP_CLIENT, "y.example", "options in any order" },
	{ "[2001:db8::1]:5222", 0, "2001:db8::1", 5222, EKU_PROTO_XMPP_CLIENT, NULL, "bracketed IPv6" },
	{ "[::1]", 0, "::1", 443, EKU_PROTO_HTTPS, NULL, "bracketed IPv6 without port" },
	{ "2001:db8::1", 0, "2001:db8::1", 443, EKU_PROTO_HTTPS, NULL, "bare IPv6" },
	{ "192.0.2.1:636", 0, "192.0.2.1", 636, EKU_PROTO_TLS, NULL, "IPv4 literal" },
	{ "x:0", -1, NULL, 0, 0, NULL, "port 0" },
	{ "x:65536", -1, NULL, 0, 0, NULL, "port too large" },
	{ "x:http", -1, NULL, 0, 0, NULL, "named port" },
	{ "[::1:443", -1, NULL, 0, 0, NULL, "unbalanced bracket" },
	{ ":443", -1, NULL, 0, 0, NULL, "no host" },
	{ "x:1,starttls=gopher", -1, NULL, 0, 0, NULL, "unknown protocol" },
	{ "x:1,color=blue", -1, NULL, 0, 0, NULL, "unknown option" },
	{ "x:1,sni", -1, NULL, 0, 0, NULL, "option without value" },
	{ "", -1, NULL, 0, 0, NULL, "empty" },
};

static void test_target_parse(void **state)
{
	for (size_t i = 0; i < sizeof(target_cases) / sizeof(target_cases[0]); i++) {
		const struct target_case *c = &target_cases[i];
		struct eku_target t;
		eku_error err = { 0 };
		int rc = eku_target_parse(c->spec, &t, &err);

		print_message("case '%s': %s\n", c->spec, c->why);
		assert_int_equal(rc, c->rc);
		if (rc != 0) {
			assert_int_equal(err.code, EKU_E_USAGE);
			continue;
		}
		assert_string_equal(t.host, c->host);
		assert_string_equal(t.spec, c->spec);
		assert_int_equal(t.port, c->port);
		assert_int_equal(t.proto, c->proto);
		if (c->sni == NULL)
			assert_null(t.sni);
		else
			assert_string_equal(t.sni, c->sni);
		eku_target_clear(&t);
	}
}

static void test_names(void **state)
{
	enum eku_proto p;

	for (unsigned i = 0; i < EKU_PROTO__COUNT; i++) {
		assert_int_equal(eku_proto_from_name(eku_proto_name((enum eku_proto)i), &p), 0);
		assert_int_equal(p, i);
	}
	assert_int_equal(eku_proto_from_name("xmpp", &p), 0);
	assert_int_equal(p, EKU_PROTO_XMPP_CLIENT);
	assert_int_equal(eku_proto_from_name("nntp", &p), -1);
	assert_string_equal(eku_client_auth_name(EKU_CLIENT_AUTH_REQUIRED), "required");
	assert_string_equal(eku_client_auth_name(EKU_CLIENT_AUTH_REQUESTED), "requested");
	assert_string_equal(eku_client_auth_name((enum eku_client_auth)99), "unknown");
	assert_string_equal(eku_probe_errclass_name(EKU_PROBE_ERR_STARTTLS), "starttls");
	assert_string_equal(eku_dry_result_name(EKU_DRY_REJECTED), "rejected");
	assert_string_equal(eku_tls_alert_name(43), "unsupported_certificate");
	assert_string_equal(eku_tls_alert_name(116), "certificate_required");
	assert_string_equal(eku_tls_alert_name(48), "unknown_ca");
	assert_null(eku_tls_alert_name(255));
}

/* ---- CertificateRequest ------------------------------------------------------------ */

/* DER of "CN=A" and "CN=BB" (SEQUENCE { SET { SEQUENCE { OID cn, UTF8String } } }). */
#define DN_A 0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'A'
#define DN_BB 0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x02, 'B', 'B'

static const uint8_t cr12_two[] = {
	0x02, 0x01, 0x40,                   /* certificate_types: rsa_sign, ecdsa_sign */
	0x00, 0x04, 0x04, 0x03, 0x08, 0x04, /* signature algorithms */
	0x00, 0x21,                         /* certificate_authorities: 33 bytes */
	0x00, 0x0e, DN_A, 0x00, 0x0f, DN_BB,
};
static const uint8_t cr12_none[] = { 0x01, 0x40, 0x00, 0x02, 0x04, 0x03, 0x00, 0x00 };
static const uint8_t cr12_overrun[] = { 0x01, 0x40, 0x00, 0x02, 0x04, 0x03, 0x00, 0x30, 0x00, 0x0e, DN_A };
static const uint8_t cr12_trailing[] = { 0x01, 0x40, 0x00, 0x02, 0x04, 0x03, 0x00, 0x00, 0xff };
static const uint8_t cr12_empty_dn[] = { 0x01, 0x40, 0x00, 0x02, 0x04, 0x03, 0x00, 0x02, 0x00, 0x00 };
static const uint8_t cr12_odd_sig[] = { 0x01, 0x40, 0x00, 0x03, 0x04, 0x03, 0x08, 0x00, 0x00 };
static const uint8_t cr13_cas[] = {
	0x00,                   /* empty certificate_request_context */
	0x00, 0x1e,             /* extensions: 30 bytes */
	0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x03, /* signature_algorithms */
	0x00, 0x2f, 0x00, 0x12, 0x00, 0x10, 0x00, 0x0e, DN_A, /* certificate_authorities */
};
static const uint8_t cr13_no_cas[] = { 0x00, 0x00, 0x08, 0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x03 };
static const uint8_t cr13_bad_ext_len[] = { 0x00, 0x00, 0x08, 0x00, 0x0d, 0x00, 0x09, 0x00, 0x02, 0x04, 0x03 };
static const uint8_t cr13_cas_inner_short[] = {
	0x00, 0x00, 0x08, 0x00, 0x2f, 0x00, 0x04, 0x00, 0x02, 0x00, 0x01,
};

static const struct certreq_case {
	const char *name;
	const uint8_t *body;
	size_t len;
	bool tls13;
	int rc;
	size_t n_names;
} certreq_cases[] = {
	{ "TLS 1.2 with two CA names", cr12_two, sizeof(cr12_two), false, 0, 2 },
	{ "TLS 1.2 with no CA names (any CA)", cr12_none, sizeof(cr12_none), false, 0, 0 },
	{ "TLS 1.2 CA list longer than the message", cr12_overrun, sizeof(cr12_overrun), false, -1, 0 },
	{ "TLS 1.2 trailing byte", cr12_trailing, sizeof(cr12_trailing), false, -1, 0 },
	{ "TLS 1.2 zero-length DistinguishedName", cr12_empty_dn, sizeof(cr12_empty_dn), false, -1, 0 },
	{ "TLS 1.2 odd signature_algorithms length", cr12_odd_sig, sizeof(cr12_odd_sig), false, -1, 0 },
	{ "TLS 1.3 certificate_authorities extension", cr13_cas, sizeof(cr13_cas), true, 0, 1 },
	{ "TLS 1.3 without certificate_authorities", cr13_no_cas, sizeof(cr13_no_cas), true, 0, 0 },
	{ "TLS 1.3 extension overruns", cr13_bad_ext_len, sizeof(cr13_bad_ext_len), true, -1, 0 },
	{ "TLS 1.3 authorities list too short", cr13_cas_inner_short, sizeof(cr13_cas_inner_short), true, -1, 0 },
	{ "TLS 1.2 layout read as 1.3", cr12_two, sizeof(cr12_two), true, -1, 0 },
	{ "empty body", cr12_two, 0, false, -1, 0 },
};

static void test_certreq(void **state)
{
	for (size_t i = 0; i < sizeof(certreq_cases) / sizeof(certreq_cases[0]); i++) {
		const struct certreq_case *c = &certreq_cases[i];
		struct eku_certreq cr;

		print_message("case: %s\n", c->name);
		assert_int_equal(eku_certreq_parse(c->body, c->len, c->tls13, &cr), c->rc);
		if (c->rc == 0)
			assert_int_equal(cr.n_names, c->n_names);
	}
}

static void test_certreq_names_borrowed(void **state)
{
	struct eku_certreq cr;

	assert_int_equal(eku_certreq_parse(cr12_two, sizeof(cr12_two), false, &cr), 0);
	assert_int_equal(cr.name_len[0], 14);
	assert_int_equal(cr.name[0][13], 'A');
	assert_int_equal(cr.name_len[1], 15);
	assert_memory_equal(cr.name[1] + 13, "BB", 2);
	assert_false(cr.truncated);
}

static void test_config_defaults(void **state)
{
	eku_probe_config *cfg = eku_probe_config_new();

	assert_non_null(cfg);
	assert_int_equal(eku_probe_config_public_ca_count(cfg), 0);
	assert_int_equal(eku_probe_config_add_candidate(cfg, "/nonexistent/cert.pem", NULL, NULL), -1);
	assert_int_equal(eku_probe_config_error(cfg)->code, EKU_E_IO);
	eku_probe_config_free(cfg);
}

static void count_cb(const struct eku_probe_result *r, void *arg)
{
	(*(size_t *)arg)++;
}

/* A run with nothing queued returns at once; one with a closed port reports refused. */
static void test_empty_and_refused_run(void **state)
{
	eku_probe_config *cfg = eku_probe_config_new();
	eku_probe *p = eku_probe_new(cfg);
	struct eku_target t;
	eku_error err = { 0 };
	size_t n = 0;

	assert_int_equal(eku_probe_run(p, count_cb, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(eku_target_parse("127.0.0.1:1", &t, &err), 0);
	assert_int_equal(eku_probe_add0_target(p, &t), 0);
	assert_null(t.host);
	assert_int_equal(eku_probe_run(p, count_cb, &n), 0);
	assert_int_equal(n, 1);
	eku_probe_free(p);
	eku_probe_config_free(cfg);
}

/* Threaded runs: every target is reported exactly once, with its own index
 * and the same classification as on one loop, whatever the thread count. */
static const struct thread_case {
	unsigned threads, concurrency;
	size_t targets;
	const char *why;
} thread_cases[] = {
	{ 1, 64, 20, "one loop (the default)" },
	{ 2, 64, 20, "two loops sharing the queue" },
	{ 4, 3, 20, "more threads than slots: capped at the concurrency" },
	{ 8, 64, 3, "more threads than targets: capped at the targets" },
	{ 0, 64, 20, "0: one per online CPU" },
};

struct seen {
	size_t n, refused;
	unsigned char hit[32];
};

static void seen_cb(const struct eku_probe_result *r, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->refused += r->err_class == EKU_PROBE_ERR_REFUSED;
	if (r->index < sizeof(s->hit))
		s->hit[r->index]++;
}

static void test_threads(void **state)
{
	for (size_t i = 0; i < sizeof(thread_cases) / sizeof(thread_cases[0]); i++) {
		const struct thread_case *c = &thread_cases[i];
		eku_probe_config *cfg = eku_probe_config_new();
		eku_probe *p;
		struct seen s = { 0 };

		print_message("threads %u, concurrency %u: %s\n", c->threads, c->concurrency, c->why);
		assert_non_null(cfg);
		eku_probe_config_set_threads(cfg, c->threads);
		eku_probe_config_set_concurrency(cfg, c->concurrency);
		assert_true(eku_probe_config_threads(cfg) >= 1);
		assert_true(eku_probe_config_threads(cfg) <= (c->threads ? c->threads : EKU_PROBE_MAX_AUTO_THREADS));
		p = eku_probe_new(cfg);
		assert_non_null(p);
		for (size_t k = 0; k < c->targets; k++) {
			struct eku_target t;
			eku_error err = { 0 };
			assert_int_equal(eku_target_parse("127.0.0.1:1", &t, &err), 0);
			assert_int_equal(eku_probe_add0_target(p, &t), 0);
		}
		assert_int_equal(eku_probe_run(p, seen_cb, &s), 0);
		assert_int_equal(s.n, c->targets);
		assert_int_equal(s.refused, c->targets);
		for (size_t k = 0; k < c->targets; k++)
			assert_int_equal(s.hit[k], 1);
		eku_probe_free(p);
		eku_probe_config_free(cfg);
	}
}

/* ---- endpoints named in a plan inventory (eku scan --inventory) ---------------- */

static const struct inv_case {
	const char *name;
	const char *yaml;
	size_t n;
	const char *want[4]; /* "node role endpoint" */
} inv_cases[] = {
	{ "server and client host:port, in node order, server first",
	  "nodes:\n"
	  "  - { name: expe1, product: expressway-e, version: X15.3.2, certificates: { server: 'expe.example:5061', client: '[2001:db8::1]:5061' } }\n"
	  "  - { name: api, product: generic-openssl, certificates: { server: 'api.example:443' } }\n",
	  3, { "expe1 server expe.example:5061", "expe1 client [2001:db8::1]:5061", "api server api.example:443" } },
	{ "a repeated endpoint is listed once per node (the CLI merges labels)",
	  "nodes:\n"
	  "  - { name: a, product: generic-openssl, certificates: { server: 'peer.example:8443' } }\n"
	  "  - { name: b, product: generic-openssl, certificates: { server: 'peer.example:8443' } }\n",
	  2, { "a server peer.example:8443", "b server peer.example:8443" } },
	{ "no host:port input (here an inventory with a problem): nothing listed",
	  "nodes:\n  - { name: a, product: generic-openssl }\n",
	  0, { NULL } },
};

static void test_plan_endpoints(void **state)
{
	for (size_t i = 0; i < sizeof(inv_cases) / sizeof(inv_cases[0]); i++) {
		const struct inv_case *c = &inv_cases[i];
		eku_plan *pl = eku_plan_new();
		struct eku_plan_endpoint e;
		char got[256];

		print_message("%s\n", c->name);
		assert_non_null(pl);
		assert_int_equal(eku_plan_set_system_bundle(pl, ""), 0);
		if (eku_plan_load_mem(pl, "inv.yaml", NULL, c->yaml, strlen(c->yaml)) != 0 && c->n > 0)
			fail_msg("%s: load failed: %s", c->name,
				eku_plan_diag_count(pl) ? eku_plan_diag(pl, 0)->message : eku_plan_error(pl)->message);
		assert_int_equal(eku_plan_endpoint_count(pl), c->n);
		for (size_t k = 0; k < c->n; k++) {
			assert_int_equal(eku_plan_endpoint_get(pl, k, &e), 0);
			snprintf(got, sizeof(got), "%s %s %s", e.node, e.role, e.endpoint);
			assert_string_equal(got, c->want[k]);
		}
		assert_int_equal(eku_plan_endpoint_get(pl, c->n, &e), -1);
		eku_plan_free(pl);
	}
}

/* Labels are owned by the target and cleared with it. */
static void test_target_label_owned(void **state)
{
	struct eku_target t;
	eku_error err = { 0 };

	assert_int_equal(eku_target_parse("a.example:5061", &t, &err), 0);
	assert_null(t.label);
	t.label = strdup("expe1 server");
	eku_target_clear(&t);
	assert_null(t.label);
}

/* --resolve specifications: accepted ones, and the exact code of the others. */
static const struct resolve_case {
	const char *spec;
	int rc;
	const char *why;
} resolve_cases[] = {
	{ "a.example:443:127.0.0.1", 0, "one IPv4 address" },
	{ "a.example:443:[::1],127.0.0.1,[2001:db8::1]", 0, "both families" },
	{ "a.example:443", -1, "no address list" },
	{ "a.example:443:", -1, "empty address list" },
	{ ":443:127.0.0.1", -1, "no host" },
	{ "a.example:0:127.0.0.1", -1, "port 0" },
	{ "a.example:65536:127.0.0.1", -1, "port out of range" },
	{ "a.example:x:127.0.0.1", -1, "port not a number" },
	{ "a.example:443:::1", -1, "IPv6 without brackets" },
	{ "a.example:443:127.0.0.1,", -1, "trailing comma" },
	{ "a.example:443:host.example", -1, "a name, not an address" },
	{ "a.example:443:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", -1, "more than EKU_PROBE_MAX_ADDRS" },
};

static void test_resolve_specs(void **state)
{
	for (size_t i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++) {
		const struct resolve_case *c = &resolve_cases[i];
		eku_probe_config *cfg = eku_probe_config_new();
		int rc = eku_probe_config_add_resolve(cfg, c->spec);

		if (rc != c->rc)
			fail_msg("%s (%s): rc %d", c->spec, c->why, rc);
		if (rc != 0 && eku_probe_config_error(cfg)->code != EKU_E_USAGE)
			fail_msg("%s (%s): code %d, not EKU_E_USAGE", c->spec, c->why, eku_probe_config_error(cfg)->code);
		eku_probe_config_free(cfg);
	}
}

struct addr_seen {
	size_t n;
	enum eku_probe_errclass cls;
	char address[64];
	char failed[2][64];
	size_t n_failed;
};

static void addr_cb(const struct eku_probe_result *r, void *arg)
{
	struct addr_seen *s = arg;

	s->n++;
	s->cls = r->err_class;
	snprintf(s->address, sizeof(s->address), "%s", r->address ? r->address : "");
	s->n_failed = r->failed_addresses.n;
	for (size_t i = 0; i < r->failed_addresses.n && i < 2; i++)
		snprintf(s->failed[i], sizeof(s->failed[i]), "%s", r->failed_addresses.v[i]);
}

/* A pinned name with three refused addresses: every one is tried, in the
 * given order within a family, and the last one is reported. */
static void test_every_address_tried(void **state)
{
	eku_probe_config *cfg = eku_probe_config_new();
	eku_probe *p = eku_probe_new(cfg);
	struct eku_target t;
	eku_error err = { 0 };
	struct addr_seen s = { 0 };

	assert_int_equal(eku_probe_config_add_resolve(cfg, "Multi.Example:1:127.0.0.3,127.0.0.2,127.0.0.1"), 0);
	assert_int_equal(eku_target_parse("multi.example:1", &t, &err), 0);
	assert_int_equal(eku_probe_add0_target(p, &t), 0);
	assert_int_equal(eku_probe_run(p, addr_cb, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.cls, EKU_PROBE_ERR_REFUSED);
	assert_string_equal(s.address, "127.0.0.1:1");
	assert_int_equal(s.n_failed, 2);
	assert_string_equal(s.failed[0], "127.0.0.3:1: Connection refused");
	assert_string_equal(s.failed[1], "127.0.0.2:1: Connection refused");
	eku_probe_free(p);
	eku_probe_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_parse),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_certreq),
		cmocka_unit_test(test_certreq_names_borrowed),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_empty_and_refused_run),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_plan_endpoints),
		cmocka_unit_test(test_target_label_owned),
		cmocka_unit_test(test_resolve_specs),
		cmocka_unit_test(test_every_address_tried),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
