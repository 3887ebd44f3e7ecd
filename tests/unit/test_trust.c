/* trust: chain building and issuer class / vendor decisions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include <cmocka.h>

#include "fixtures.h"

#include <eku/cert.h>
#include <eku/trust.h>

static bool has_evidence(const struct eku_classification *cl, const char *needle)
{
	for (size_t i = 0; i < cl->evidence.n; i++)
		if (strstr(cl->evidence.v[i], needle) != NULL)
			return true;
	return false;
}

static void test_private_chain(void **state)
{
	eku_trust *t = eku_trust_new();
	eku_certlist *l = fixture_load(fixture("leaf-dual.pem"));
	struct eku_classification *cl;

	(void)state;
	assert_int_equal(eku_trust_add_anchor_file(t, fixture("private-root.pem")), 0);
	assert_int_equal(eku_trust_add_untrusted_file(t, fixture("private-ca.pem")), 0);
	cl = eku_trust_classify(t, eku_certlist_get0(l, 0), NULL);
	assert_non_null(cl);
	assert_int_equal(cl->issuer_class, EKU_ISSUER_PRIVATE);
	assert_true(cl->chain_complete);
	assert_int_equal(cl->chain_len, 3);
	assert_false(cl->inferred);
	assert_null(cl->ca_vendor);
	assert_string_equal(cl->root_subject, "O=eku tests,CN=eku Test Private Root");
	eku_classification_free(cl);
	eku_certlist_free(l);
	eku_trust_free(t);
}

static void test_chain_from_extra_and_incomplete(void **state)
{
	eku_trust *t = eku_trust_new();
	eku_certlist *chain = fixture_load(fixture("chain-dual.pem"));
	eku_certlist *alone = fixture_load(fixture("leaf-dual.pem"));
	struct eku_classification *cl;

	(void)state;
	/* The bundle carries its own root: complete, private (not in any store). */
	cl = eku_trust_classify(t, eku_certlist_get0(chain, 0), chain);
	assert_non_null(cl);
	assert_true(cl->chain_complete);
	assert_int_equal(cl->chain_len, 3);
	assert_int_equal(cl->issuer_class, EKU_ISSUER_PRIVATE);
	eku_classification_free(cl);
	/* Alone, nothing is known: unknown, and the evidence says what to add. */
	cl = eku_trust_classify(t, eku_certlist_get0(alone, 0), NULL);
	assert_int_equal(cl->issuer_class, EKU_ISSUER_UNKNOWN);
	assert_false(cl->chain_complete);
	assert_true(has_evidence(cl, "--untrusted"));
	eku_classification_free(cl);
	eku_certlist_free(chain);
	eku_certlist_free(alone);
	eku_trust_free(t);
}

static void test_self_signed(void **state)
{
	eku_trust *t = eku_trust_new();
	eku_certlist *l = fixture_load(fixture("selfsigned-dual.pem"));
	struct eku_classification *cl = eku_trust_classify(t, eku_certlist_get0(l, 0), NULL);

	(void)state;
	assert_int_equal(cl->issuer_class, EKU_ISSUER_SELF_SIGNED);
	eku_classification_free(cl);
	eku_certlist_free(l);
	eku_trust_free(t);
}

static void test_declared_public_root(void **state)
{
	eku_trust *t = eku_trust_new();
	eku_certlist *l = fixture_load(fixture("leaf-fake-le-dual.pem"));
	struct eku_classification *cl;

	(void)state;
	assert_int_equal(eku_trust_add_public_root_file(t, fixture("fake-le-root.pem"), "letsencrypt"), 0);
	assert_int_equal(eku_trust_add_untrusted_file(t, fixture("fake-le-r3.pem")), 0);
	cl = eku_trust_classify(t, eku_certlist_get0(l, 0), NULL);
	assert_int_equal(cl->issuer_class, EKU_ISSUER_WEBPKI);
	assert_false(cl->inferred);
	assert_string_equal(cl->ca_vendor, "letsencrypt");
	assert_string_equal(cl->ca_vendor_name, "Let's Encrypt");
	eku_classification_free(cl);
	eku_certlist_free(l);
	eku_trust_free(t);
}

static void test_lookalike_root_is_not_public(void **state)
{
	eku_trust *t = eku_trust_new();
	eku_certlist *l = fixture_load(fixture("leaf-fake-le-dual.pem"));
	eku_certlist *extra = fixture_load(fixture("fake-le-r3.pem"));
	struct eku_classification *cl;

	(void)state;
	/* Named "ISRG Root X1" but not the real key: private, whatever the name. */
	assert_int_equal(eku_trust_add_untrusted_file(t, fixture("fake-le-root.pem")), 0);
	cl = eku_trust_classify(t, eku_certlist_get0(l, 0), extra);
	assert_true(cl->chain_complete);
	assert_int_equal(cl->issuer_class, EKU_ISSUER_PRIVATE);
	assert_null(cl->ca_vendor);
	eku_classification_free(cl);
	eku_certlist_free(l);
	eku_certlist_free(extra);
	eku_trust_free(t);
}

static void test_inferred_vendor(void **state)
{
	eku_trust *t = eku_trust_new();
	eku_certlist *l = fixture_load(fixture("leaf-fake-le-server.pem"));
	struct eku_classification *cl = eku_trust_classify(t, eku_certlist_get0(l, 0), NULL);

	(void)state;
	assert_int_equal(cl->issuer_class, EKU_ISSUER_WEBPKI);
	assert_true(cl->inferred);
	assert_string_equal(cl->ca_vendor, "letsencrypt");
	assert_true(has_evidence(cl, "Let's Encrypt"));
	assert_true(has_evidence(cl, "chain incomplete"));
	eku_classification_free(cl);
	eku_certlist_free(l);
	eku_trust_free(t);
}

static const char *system_root(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "/etc/ssl/certs/%s.pem", name);
	return access(p, R_OK) == 0 ? p : NULL;
}

static const struct {
	const char *file;
	enum eku_issuer_class cls;
	const char *vendor;
	bool alt_root;
	bool phase_out;
} system_cases[] = {
	{ "ISRG_Root_X1", EKU_ISSUER_WEBPKI, "letsencrypt", false, false },
	{ "DigiCert_Global_Root_G2", EKU_ISSUER_WEBPKI, "digicert", false, false },
	/* Cisco's alternative roots: one outside Chrome, one phased out. */
	{ "IdenTrust_Public_Sector_Root_CA_1", EKU_ISSUER_PUBLIC_OTHER, "identrust", true, false },
	{ "DigiCert_Assured_ID_Root_G2", EKU_ISSUER_WEBPKI, "digicert", true, true },
};

static void test_system_roots(void **state)
{
	eku_trust *t = eku_trust_new();

	(void)state;
	assert_int_equal(eku_trust_add_system(t, NULL), 0);
	if (eku_trust_anchor_count(t) == 0) {
		print_message("SKIP system roots: no system bundle (apt-get install ca-certificates)\n");
		skip();
	}
	for (size_t i = 0; i < sizeof(system_cases) / sizeof(system_cases[0]); i++) {
		const char *p = system_root(system_cases[i].file);
		eku_certlist *l;
		struct eku_classification *cl;
		if (p == NULL) {
			print_message("skipping %s: not in this system bundle\n", system_cases[i].file);
			continue;
		}
		l = fixture_load(p);
		cl = eku_trust_classify(t, eku_certlist_get0(l, 0), NULL);
		if (cl->issuer_class != system_cases[i].cls)
			fail_msg("%s: class %s", system_cases[i].file, eku_issuer_class_name(cl->issuer_class));
		assert_string_equal(cl->ca_vendor, system_cases[i].vendor);
		assert_int_equal(cl->alt_root, system_cases[i].alt_root);
		assert_int_equal(cl->root_phase_out != 0, system_cases[i].phase_out);
		eku_classification_free(cl);
		eku_certlist_free(l);
	}
	eku_trust_free(t);
}

static void test_bad_data_dir(void **state)
{
	char dir[] = "/tmp/eku-trust-XXXXXX";
	char path[128];
	FILE *f;
	eku_trust *t = eku_trust_new();

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/chrome-root-store.csv", dir);
	f = fopen(path, "w");
	fputs("# header\nnot,a,valid,row\n", f);
	fclose(f);
	assert_int_equal(eku_trust_set_data_dir(t, dir), 0);
	assert_int_equal(eku_trust_load_data(t), -1);
	assert_int_equal(eku_trust_error(t)->code, EKU_E_BAD_DATA);
	assert_non_null(strstr(eku_trust_error(t)->message, "chrome-root-store.csv:2"));
	unlink(path);
	rmdir(dir);
	eku_trust_free(t);
}

/* n entries: 100 certificates named "CN=filler <i>" (copies of template with
 * the subject changed, not re-signed: they are only there to be passed
 * over), each listed n / 100 times, as a PEM of repeated blocks gives. */
static eku_certlist *fillers(const eku_cert *template, size_t n)
{
	eku_certlist *l = eku_certlist_new();
	eku_error err = { 0 };

	for (size_t i = 0; i < 100; i++) {
		X509 *x = X509_dup(eku_cert_get0_x509(template));
		X509_NAME *name = X509_NAME_new();
		char cn[32];
		eku_cert *c;

		snprintf(cn, sizeof(cn), "filler %zu", i);
		assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
			(const unsigned char *)cn, -1, -1, 0), 1);
		assert_int_equal(X509_set_subject_name(x, name), 1);
		c = eku_cert_new_x509(x, "filler", (int)i + 1, 0, &err);
		assert_non_null(c);
		for (size_t k = 0; k < n / 100; k++)
			assert_int_equal(eku_certlist_push0(l, eku_cert_up_ref(c)), 0);
		eku_cert_free(c);
		X509_NAME_free(name);
		X509_free(x);
	}
	return l;
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds for rounds classifications of leaf with extra. */
static double classify_time(eku_trust *t, const eku_cert *leaf, const eku_certlist *extra,
	int rounds)
{
	double t0 = cpu_seconds();

	for (int i = 0; i < rounds; i++) {
		struct eku_classification *cl = eku_trust_classify(t, leaf, extra);
		assert_non_null(cl);
		assert_int_equal(cl->chain_len, 3);
		eku_classification_free(cl);
	}
	return cpu_seconds() - t0;
}

/* `eku inspect` classifies every certificate of a run against all of them:
 * when each issuer lookup scanned the whole run, 20,000 certificates took
 * 15 s. One classification must not grow with the certificates that came
 * with it: a hundred times the unrelated certificates, at most three times
 * the time (with a scan it was about 15x; with the index about 1x). */
static void test_issuer_lookup_does_not_scan(void **state)
{
	eku_trust *t = eku_trust_new();
	eku_certlist *leaf = fixture_load(fixture("leaf-dual.pem"));
	eku_certlist *small, *big;
	double ts, tb;

	(void)state;
	assert_int_equal(eku_trust_add_anchor_file(t, fixture("private-root.pem")), 0);
	assert_int_equal(eku_trust_add_untrusted_file(t, fixture("private-ca.pem")), 0);
	small = fillers(eku_certlist_get0(leaf, 0), 1000);
	big = fillers(eku_certlist_get0(leaf, 0), 100000);
	classify_time(t, eku_certlist_get0(leaf, 0), small, 20); /* data load, warm caches */
	ts = classify_time(t, eku_certlist_get0(leaf, 0), small, 200);
	tb = classify_time(t, eku_certlist_get0(leaf, 0), big, 200);
	printf("# 200 classifications: 1k fillers %.3fs, 100k fillers %.3fs (ratio %.1f)\n",
		ts, tb, tb / ts);
	assert_true(tb < 3 * ts + 0.02);
	eku_certlist_free(small);
	eku_certlist_free(big);
	eku_certlist_free(leaf);
	eku_trust_free(t);
}

/* Sorting a list (inspect sorts by expiry) reorders positions: issuer
 * lookups must still find the chain in it. */
static void test_sorted_list_still_builds_chains(void **state)
{
	eku_trust *t = eku_trust_new();
	eku_certlist *chain = fixture_load(fixture("chain-dual.pem"));
	struct eku_classification *cl;

	(void)state;
	eku_certlist_sort_by_expiry(chain);
	for (size_t i = 0; i < eku_certlist_count(chain); i++) {
		const eku_cert *c = eku_certlist_get0(chain, i);
		if (eku_cert_facts(c)->is_ca)
			continue;
		cl = eku_trust_classify(t, c, chain);
		assert_non_null(cl);
		assert_true(cl->chain_complete);
		assert_int_equal(cl->chain_len, 3);
		eku_classification_free(cl);
	}
	eku_certlist_free(chain);
	eku_trust_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_chain),
		cmocka_unit_test(test_chain_from_extra_and_incomplete),
		cmocka_unit_test(test_self_signed),
		cmocka_unit_test(test_declared_public_root),
		cmocka_unit_test(test_lookalike_root_is_not_public),
		cmocka_unit_test(test_inferred_vendor),
		cmocka_unit_test(test_system_roots),
		cmocka_unit_test(test_bad_data_dir),
		cmocka_unit_test(test_issuer_lookup_does_not_scan),
		cmocka_unit_test(test_sorted_list_still_builds_chains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
