/* Callers of eku_cert_get0_x509() when the lazily built X509 cannot be built.
 *
 * A certificate read by the DER walker builds its X509 on first use
 * (d2i_X509), which can fail: memory runs out, or OpenSSL refuses bytes the
 * walker accepted. No real certificate is known to do the second (the walker
 * is built and fuzzed to accept only what d2i_X509 accepts), so this test is
 * linked with -Wl,--wrap=d2i_X509: calls from libeku (a static archive here)
 * reach __wrap_d2i_X509 below, which fails on demand the way OpenSSL does
 * (NULL, a reason queued). Each case asserts the error names the certificate
 * (file, line, position) instead of crashing on NULL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <eku/cert.h>
#include <eku/probe.h>
#include <eku/trust.h>
#include <eku/verify.h>

#include "../../src/gateway/gw_config.h"
#include "fixtures.h"

/* 0: pass through; else the OpenSSL reason d2i_X509 fails with. */
static int fail_reason;

X509 *__real_d2i_X509(X509 **a, const unsigned char **pp, long len);
X509 *__wrap_d2i_X509(X509 **a, const unsigned char **pp, long len);

X509 *__wrap_d2i_X509(X509 **a, const unsigned char **pp, long len)
{
	if (fail_reason == 0)
		return __real_d2i_X509(a, pp, len);
	ERR_raise(ERR_LIB_ASN1, fail_reason);
	return NULL;
}

static int teardown(void **state)
{
	(void)state;
	fail_reason = 0;
	ERR_clear_error();
	return 0;
}

/* "…/leaf-dual.pem:1: certificate 1: OpenSSL cannot build it" with the
 * fixture's absolute path: the file, the BEGIN line and the position. */
static void assert_names(const char *message, const char *file, int line, int index)
{
	char want[4200];

	snprintf(want, sizeof(want), "%s:%d: certificate %d: OpenSSL cannot build it", file, line,
		index);
	if (strstr(message, want) == NULL)
		fail_msg("'%s' does not contain '%s'", message, want);
}

static void test_precondition_lazy_and_not_cached(void **state)
{
	eku_certlist *l = fixture_load(fixture("leaf-dual.pem"));
	const eku_cert *c = eku_certlist_get0(l, 0);
	eku_error err = { 0 };

	(void)state;
	/* Without this the other cases would test nothing: the fixture must be
	 * read by the walker (no X509 at load). */
	fail_reason = ASN1_R_WRONG_TAG;
	assert_null(eku_cert_get0_x509(c));
	assert_null(eku_cert_get0_x509_err(c, &err));
	assert_int_equal(err.code, EKU_E_BAD_DER);
	assert_names(err.message, fixture("leaf-dual.pem"), 1, 1);
	assert_non_null(strstr(err.message, "(wrong tag)"));   /* OpenSSL's reason */
	/* A failure is not remembered: the next call builds it. */
	fail_reason = 0;
	assert_non_null(eku_cert_get0_x509(c));
	eku_certlist_free(l);
}

static void test_out_of_memory_is_nomem(void **state)
{
	eku_certlist *l = fixture_load(fixture("chain-dual.pem"));
	eku_error err = { 0 };

	(void)state;
	fail_reason = ERR_R_MALLOC_FAILURE;
	assert_null(eku_cert_get0_x509_err(eku_certlist_get0(l, 1), &err));
	assert_int_equal(err.code, EKU_E_NOMEM);
	assert_int_equal(eku_cert_index(eku_certlist_get0(l, 1)), 2);
	assert_names(err.message, fixture("chain-dual.pem"), eku_cert_line(eku_certlist_get0(l, 1)), 2);
	eku_certlist_free(l);
}

/* eku verify --trust / --untrusted: the config error names the file. */
static void test_verify_config_files(void **state)
{
	static const struct {
		const char *name, *what;
		int (*add)(eku_verify_config *, const char *);
	} cases[] = {
		{ "trust file", "trust file ", eku_verify_config_add_trust_file },
		{ "untrusted file", "untrusted file ", eku_verify_config_add_untrusted_file },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		eku_verify_config *cfg = eku_verify_config_new();
		const eku_error *e;
		char want[4200];
		assert_non_null(cfg);
		fail_reason = ASN1_R_WRONG_TAG;
		assert_int_equal(cases[i].add(cfg, fixture("private-root.pem")), -1);
		e = eku_verify_config_error(cfg);
		assert_int_equal(e->code, EKU_E_BAD_DER);
		snprintf(want, sizeof(want), "%s%s", cases[i].what, fixture("private-root.pem"));
		if (strncmp(e->message, want, strlen(want)) != 0)
			fail_msg("%s: '%s' does not start with '%s'", cases[i].name, e->message, want);
		assert_names(e->message, fixture("private-root.pem"), 1, 1);
		fail_reason = 0;
		eku_verify_config_free(cfg);
	}
}

/* eku_verify_cert: -1 (no crash) whether the leaf or an extra certificate
 * cannot be built; verification runs once they can. */
static void test_verify_cert(void **state)
{
	eku_verify_config *cfg = eku_verify_config_new();
	eku_certlist *chain = fixture_load(fixture("chain-dual.pem"));
	eku_certlist *leaf = fixture_load(fixture("leaf-dual.pem"));
	eku_verify_result *r = NULL;

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(eku_verify_config_set_role(cfg, EKU_VERIFY_ROLE_CLIENT), 0);
	fail_reason = ASN1_R_WRONG_TAG;
	assert_int_equal(eku_verify_cert(cfg, eku_certlist_get0(leaf, 0), NULL, &r), -1);
	assert_null(r);
	/* the leaf built, its intermediates not */
	fail_reason = 0;
	assert_non_null(eku_cert_get0_x509(eku_certlist_get0(chain, 0)));
	fail_reason = ASN1_R_WRONG_TAG;
	assert_int_equal(eku_verify_cert(cfg, eku_certlist_get0(chain, 0), chain, &r), -1);
	assert_null(r);
	fail_reason = 0;
	assert_int_equal(eku_verify_cert(cfg, eku_certlist_get0(chain, 0), chain, &r), 0);
	assert_non_null(r);
	eku_verify_result_free(r);
	eku_certlist_free(chain);
	eku_certlist_free(leaf);
	eku_verify_config_free(cfg);
}

/* eku scan's public CA names (probe config). */
static void test_probe_public_ca_file(void **state)
{
	eku_probe_config *cfg = eku_probe_config_new();
	eku_trust *t = eku_trust_new();

	(void)state;
	assert_non_null(cfg);
	assert_non_null(t);
	assert_int_equal(eku_trust_add_public_root_file(t, fixture("private-root.pem"), NULL), 0);
	fail_reason = ASN1_R_WRONG_TAG;
	assert_int_equal(eku_probe_config_add_public_anchors(cfg, t), -1);
	assert_int_equal(eku_probe_config_error(cfg)->code, EKU_E_BAD_DER);
	assert_names(eku_probe_config_error(cfg)->message, fixture("private-root.pem"), 1, 1);
	fail_reason = 0;
	eku_trust_free(t);
	eku_probe_config_free(cfg);
}

/* A key file the gateway accepts (mode 0600); the key need not match: the
 * certificate fails first. */
static void write_key(const char *path)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	FILE *f = fopen(path, "w");

	assert_non_null(k);
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	EVP_PKEY_free(k);
}

/* eku gateway --check: the store entry and the trust list, each with its
 * position in the config and the certificate named. */
static void test_gateway_config(void **state)
{
	char dir[] = "/tmp/eku-x509-lazy-XXXXXX", key[4200], yaml[16384];
	eku_diaglist d = { 0 };
	bool cert_seen = false, trust_seen = false;
	char want_cert[4200], want_trust[4200];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/a.key", dir);
	write_key(key);
	snprintf(yaml, sizeof(yaml),
		"server_store:\n  - {name: a, cert: %s, key: %s}\n"
		"trust: [%s]\n"
		"routes:\n  - name: r\n    listen: 127.0.0.1:8443\n"
		"    upstream: {address: 127.0.0.1:1}\n",
		fixture("leaf-dual.pem"), key, fixture("private-root.pem"));
	fail_reason = ASN1_R_WRONG_TAG;
	assert_null(gw_config_load_mem("gw.yaml", yaml, strlen(yaml), true, &d));
	fail_reason = 0;
	snprintf(want_cert, sizeof(want_cert), "cert %s:1: certificate 1: OpenSSL cannot build it",
		fixture("leaf-dual.pem"));
	snprintf(want_trust, sizeof(want_trust), "trust %s:1: certificate 1: OpenSSL cannot build it",
		fixture("private-root.pem"));
	for (size_t i = 0; i < d.n; i++) {
		if (strstr(d.v[i].message, want_cert) != NULL && d.v[i].line == 2)
			cert_seen = true;
		if (strstr(d.v[i].message, want_trust) != NULL && d.v[i].line == 3)
			trust_seen = true;
	}
	if (!cert_seen || !trust_seen)
		fail_msg("missing diagnostic (cert %d, trust %d); first: %s", cert_seen, trust_seen,
			d.n > 0 ? d.v[0].message : "(none)");
	eku_diaglist_clear(&d);
	unlink(key);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_precondition_lazy_and_not_cached, teardown),
		cmocka_unit_test_teardown(test_out_of_memory_is_nomem, teardown),
		cmocka_unit_test_teardown(test_verify_config_files, teardown),
		cmocka_unit_test_teardown(test_verify_cert, teardown),
		cmocka_unit_test_teardown(test_probe_public_ca_file, teardown),
		cmocka_unit_test_teardown(test_gateway_config, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
