/* Unit tests for libeku verify: named fixture cases (exact error codes),
 * chains, policies and allow-lists. The tests on external corpora (PKITS,
 * OpenSSL's expectations, differentials) are in test_verify_corpus.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <eku/cert.h>
#include <eku/verify.h>

static char srcdir[1024];

static const char *path(char *buf, size_t len, const char *dir, const char *name, const char *ext)
{
	snprintf(buf, len, "%s/%s%s", dir, name, ext);
	return buf;
}

static const char *fix(const char *name)
{
	static char buf[8][1400];
	static int i;
	char dir[1100];

	i = (i + 1) % 8;
	snprintf(dir, sizeof(dir), "%s/tests/verify/certs", srcdir);
	return path(buf[i], sizeof(buf[i]), dir, name, strstr(name, ".") ? "" : ".pem");
}

static eku_cert *load_one(const char *file)
{
	eku_loader *ld = eku_loader_new();
	eku_certlist *l = eku_certlist_new();
	eku_diaglist d = { 0 };
	eku_cert *c = NULL;

	assert_non_null(ld);
	if (eku_loader_load_path(ld, file, l, &d) > 0)
		c = eku_cert_up_ref(eku_certlist_get0(l, 0));
	eku_diaglist_clear(&d);
	eku_certlist_free(l);
	eku_loader_free(ld);
	return c;
}

/* ---- fixture cases --------------------------------------------------------- */

struct fcase {
	const char *name;      /* what the case shows */
	const char *leaf;
	enum eku_verify_role role;
	enum eku_verify_policy policy;
	const char *allow_dns; /* NULL: empty allow-list */
	bool crls;
	bool pass;
	enum eku_verify_code codes[3]; /* exact codes, EKU_V_OK-terminated */
};

static const struct fcase fcases[] = {
	{ "enforce: clientAuth leaf authenticates a client", "leaf-client-only",
		EKU_VERIFY_ROLE_CLIENT, EKU_VERIFY_ENFORCE, NULL, false, true, { 0 } },
	{ "enforce: dual-EKU leaf as client", "leaf-dual", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_ENFORCE, NULL, false, true, { 0 } },
	{ "enforce: no-EKU leaf means any purpose", "leaf-none", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_ENFORCE, NULL, false, true, { 0 } },
	{ "enforce: serverAuth-only client is refused", "leaf-server-only", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_ENFORCE, NULL, false, false, { EKU_V_CLIENT_EKU_MISSING } },
	{ "enforce: clientAuth-only server is refused", "leaf-client-only", EKU_VERIFY_ROLE_SERVER,
		EKU_VERIFY_ENFORCE, NULL, false, false, { EKU_V_SERVER_EKU_MISSING } },
	{ "enforce: anyEKU alone is not clientAuth (OpenSSL rule)", "leaf-any",
		EKU_VERIFY_ROLE_CLIENT, EKU_VERIFY_ENFORCE, NULL, false, false, { EKU_V_CLIENT_EKU_MISSING } },
	{ "enforce: untrusted CA", "leaf-untrusted-ca", EKU_VERIFY_ROLE_SERVER, EKU_VERIFY_ENFORCE,
		NULL, false, false, { EKU_V_CHAIN_INCOMPLETE } },
	{ "enforce: allow-list pins even under enforce", "leaf-dual", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_ENFORCE, "other.example.net", false, false, { EKU_V_NOT_ALLOWED } },
	{ "enforce: revoked leaf with CRLs", "leaf-revoked", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_ENFORCE, NULL, true, false, { EKU_V_REVOKED } },
	{ "enforce: good leaf with CRLs", "leaf-dual", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_ENFORCE, NULL, true, true, { 0 } },
	{ "ignore: serverAuth-only client with allow-listed SAN passes", "leaf-server-only",
		EKU_VERIFY_ROLE_CLIENT, EKU_VERIFY_IGNORE_CLIENT_EKU, "sip.partner.example", false, true, { 0 } },
	{ "ignore: wildcard allow entry", "leaf-server-only", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_IGNORE_CLIENT_EKU, "*.partner.example", false, true, { 0 } },
	{ "ignore: SAN not allow-listed", "leaf-server-only", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_IGNORE_CLIENT_EKU, "other.partner.example", false, false, { EKU_V_NOT_ALLOWED } },
	{ "ignore: no allow-list at all", "leaf-server-only", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_IGNORE_CLIENT_EKU, NULL, false, false, { EKU_V_ALLOWLIST_REQUIRED } },
	{ "ignore: EKU naming neither TLS purpose", "leaf-neither", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_IGNORE_CLIENT_EKU, "*.partner.example", false, false, { EKU_V_EKU_NO_TLS_PURPOSE } },
	{ "ignore: anyEKU alone names neither", "leaf-any", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_IGNORE_CLIENT_EKU, "*.partner.example", false, false, { EKU_V_EKU_NO_TLS_PURPOSE } },
	{ "ignore: key usage keyEncipherment only cannot sign", "leaf-server-kenc",
		EKU_VERIFY_ROLE_CLIENT, EKU_VERIFY_IGNORE_CLIENT_EKU, "*.partner.example", false, false,
		{ EKU_V_LEAF_PURPOSE } },
	{ "ignore: untrusted CA stays refused", "leaf-untrusted-ca", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_IGNORE_CLIENT_EKU, "sip.partner.example", false, false, { EKU_V_CHAIN_INCOMPLETE } },
	{ "ignore: serverAuth-only intermediate is fine for a client", "leaf-under-server-ca",
		EKU_VERIFY_ROLE_CLIENT, EKU_VERIFY_IGNORE_CLIENT_EKU, "*.partner.example", false, true, { 0 } },
	{ "enforce: serverAuth-only intermediate restricts clients", "leaf-under-server-ca",
		EKU_VERIFY_ROLE_CLIENT, EKU_VERIFY_ENFORCE, NULL, false, false,
		{ EKU_V_CLIENT_EKU_MISSING, EKU_V_CA_PURPOSE } },
	{ "ignore: email-only intermediate is refused", "leaf-under-email-ca",
		EKU_VERIFY_ROLE_CLIENT, EKU_VERIFY_IGNORE_CLIENT_EKU, "*.partner.example", false, false,
		{ EKU_V_CA_PURPOSE } },
	{ "ignore: revocation is still checked", "leaf-revoked", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_IGNORE_CLIENT_EKU, "*.partner.example", true, false, { EKU_V_REVOKED } },
	{ "ignore for servers relaxes nothing", "leaf-client-only", EKU_VERIFY_ROLE_SERVER,
		EKU_VERIFY_IGNORE_CLIENT_EKU, "*.partner.example", false, false, { EKU_V_SERVER_EKU_MISSING } },
	{ "permissive: passes and lists the would-fail", "leaf-server-only", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_PERMISSIVE, NULL, false, true, { EKU_V_CLIENT_EKU_MISSING } },
	{ "off: passes, nothing checked", "leaf-untrusted-ca", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_OFF, NULL, false, true, { 0 } },
};

static eku_verify_config *fixture_config(const struct fcase *fc, int64_t at)
{
	eku_verify_config *cfg = eku_verify_config_new();
	eku_allowlist *al = eku_allowlist_new();

	assert_non_null(cfg);
	assert_int_equal(eku_verify_config_set_role(cfg, fc->role), 0);
	assert_int_equal(eku_verify_config_set_policy(cfg, fc->policy), 0);
	assert_int_equal(eku_verify_config_set_time(cfg, at), 0);
	assert_int_equal(eku_verify_config_add_trust_file(cfg, fix("root")), 0);
	assert_int_equal(eku_verify_config_add_untrusted_file(cfg, fix("inter")), 0);
	assert_int_equal(eku_verify_config_add_untrusted_file(cfg, fix("inter-server-only")), 0);
	assert_int_equal(eku_verify_config_add_untrusted_file(cfg, fix("inter-email")), 0);
	assert_int_equal(eku_verify_config_add_untrusted_file(cfg, fix("other-inter")), 0);
	if (fc->crls) {
		assert_int_equal(eku_verify_config_add_crl_file(cfg, fix("root.crl")), 0);
		assert_int_equal(eku_verify_config_add_crl_file(cfg, fix("inter.crl")), 0);
	}
	if (fc->allow_dns != NULL)
		assert_int_equal(eku_allowlist_add_dns(al, fc->allow_dns), 0);
	assert_int_equal(eku_verify_config_set1_allowlist(cfg, al), 0);
	eku_allowlist_free(al);
	return cfg;
}

static void test_fixture_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++) {
		const struct fcase *fc = &fcases[i];
		eku_cert *leaf = load_one(fix(fc->leaf));
		int64_t at;
		eku_verify_config *cfg;
		eku_verify_result *r = NULL;
		size_t n = 0;

		assert_non_null(leaf);
		at = eku_cert_facts(leaf)->not_before + 86400;
		cfg = fixture_config(fc, at);
		assert_int_equal(eku_verify_cert(cfg, leaf, NULL, &r), 0);
		while (n < 3 && fc->codes[n] != EKU_V_OK)
			n++;
		if (eku_verify_result_passed(r) != fc->pass || eku_verify_result_error_count(r) != n) {
			print_error("case '%s': passed=%d errors=%zu (want %d, %zu): %s\n", fc->name,
				eku_verify_result_passed(r), eku_verify_result_error_count(r), fc->pass, n,
				eku_verify_result_summary(r));
			for (size_t k = 0; k < eku_verify_result_error_count(r); k++)
				print_error("  %s: %s\n",
					eku_verify_code_name(eku_verify_result_error_get0(r, k)->code),
					eku_verify_result_error_get0(r, k)->message);
			fail();
		}
		for (size_t k = 0; k < n; k++)
			assert_int_equal(eku_verify_result_error_get0(r, k)->code, fc->codes[k]);
		eku_verify_result_free(r);
		eku_verify_config_free(cfg);
		eku_cert_free(leaf);
	}
}

/* ---- chains from other fixture folders (tests/verify/<dir>/) --------------- */

static const char *vfile(const char *dir, const char *name)
{
	static char buf[8][1400];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/tests/verify/%s/%s.pem", srcdir, dir, name);
	return buf[i];
}

struct ccase {
	const char *name;
	const char *dir, *anchor, *inter, *leaf; /* inter may be NULL */
	bool strict;                             /* --profile strict */
	bool pass;
	enum eku_verify_code codes[4];           /* exact codes, EKU_V_OK-terminated */
};

static const struct ccase ccases[] = {
	/* RFC 5280 7.1: names compare after case folding and whitespace folding,
	 * whatever the string type (tests/verify/make-name-fixtures.sh). */
	{ "names: UTF8String issuer vs PrintableString anchor subject", "names", "ca-printable",
		NULL, "leaf-issuer-utf8", false, true, { 0 } },
	{ "names: issuer differs in case and inner spaces", "names", "ca-printable", NULL,
		"leaf-issuer-case", false, true, { 0 } },
	{ "names: UTF8String issuer vs PrintableString intermediate", "names", "root",
		"inter-printable", "leaf-issuer-utf8", false, true, { 0 } },
	{ "names: case-folded issuer under an intermediate", "names", "root", "inter-printable",
		"leaf-issuer-case", false, true, { 0 } },
	{ "names: strict profile compares names the same way", "names", "root", "inter-printable",
		"leaf-issuer-utf8", true, true, { 0 } },
	/* --profile strict (tests/verify/make-strict-fixtures.sh): each defect is
	 * refused under strict with its own code and passes the openssl profile. */
#define S(name, inter, leaf, code, depth_note) \
	{ "strict: " name, "strict", "root", inter, leaf, true, false, { code } }, \
	{ "openssl profile ignores: " name, "strict", "root", inter, leaf, false, true, { 0 } }
	S("leaf without AKI", "inter", "leaf-no-aki", EKU_V_STRICT_AKI_MISSING, 0),
	S("CA with non-critical basicConstraints", "inter-bc-noncrit", "leaf-under-bc-noncrit",
		EKU_V_STRICT_CA_BC_NOT_CRITICAL, 1),
	S("keyCertSign on a CA:FALSE leaf", "inter", "leaf-keycertsign",
		EKU_V_STRICT_KEYCERTSIGN_NON_CA, 0),
	S("empty subject, non-critical SAN", "inter", "leaf-empty-subject",
		EKU_V_STRICT_EMPTY_SUBJECT_SAN, 0),
	S("negative serial", "inter", "leaf-serial-negative", EKU_V_STRICT_SERIAL, 0),
	S("21-octet serial", "inter", "leaf-serial-21", EKU_V_STRICT_SERIAL, 0),
	S("GeneralizedTime for 2045", "inter", "leaf-gentime-2030", EKU_V_STRICT_TIME_ENCODING, 0),
#undef S
	{ "strict: CA without SKI (its leaf's AKI has no keyIdentifier)", "strict", "root",
		"inter-no-ski", "leaf-under-no-ski", true, false,
		{ EKU_V_STRICT_AKI_MISSING, EKU_V_STRICT_SKI_MISSING } },
	{ "strict: UTCTime without seconds is also a bad time field", "strict", "root", "inter",
		"leaf-utctime-noseconds", true, false, { EKU_V_BAD_TIME_FIELD, EKU_V_STRICT_TIME_ENCODING } },
	{ "strict: fractional GeneralizedTime is also a bad time field", "strict", "root", "inter",
		"leaf-gentime-frac", true, false, { EKU_V_BAD_TIME_FIELD, EKU_V_STRICT_TIME_ENCODING } },
	{ "openssl profile: fractional seconds are a bad time field", "strict", "root", "inter",
		"leaf-gentime-frac", false, false, { EKU_V_BAD_TIME_FIELD } },
	{ "strict: clean chain passes", "strict", "root", "inter", "leaf-ok", true, true, { 0 } },
	{ "strict: empty subject with critical SAN passes", "strict", "root", "inter",
		"leaf-empty-subject-ok", true, true, { 0 } },
	{ "strict: 20-octet serial passes", "strict", "root", "inter", "leaf-serial-20", true, true, { 0 } },
	{ "strict: GeneralizedTime for 2055 passes", "strict", "root", "inter", "leaf-gentime-2055",
		true, true, { 0 } },
};

static void run_ccase(const struct ccase *cc)
{
	eku_cert *leaf = load_one(vfile(cc->dir, cc->leaf));
	eku_cert *anchor = load_one(vfile(cc->dir, cc->anchor));
	eku_verify_config *cfg = eku_verify_config_new();
	eku_verify_result *r = NULL;
	size_t n = 0;

	assert_non_null(leaf);
	assert_non_null(anchor);
	/* The anchor's notBefore + 1 day: some leaves' own times are the defect. */
	assert_int_equal(eku_verify_config_set_time(cfg, eku_cert_facts(anchor)->not_before + 86400), 0);
	eku_cert_free(anchor);
	assert_int_equal(eku_verify_config_add_trust_file(cfg, vfile(cc->dir, cc->anchor)), 0);
	if (cc->inter != NULL)
		assert_int_equal(eku_verify_config_add_untrusted_file(cfg, vfile(cc->dir, cc->inter)), 0);
	assert_int_equal(eku_verify_config_set_profile(cfg, cc->strict ? EKU_VERIFY_PROFILE_STRICT
								     : EKU_VERIFY_PROFILE_OPENSSL), 0);
	assert_int_equal(eku_verify_cert(cfg, leaf, NULL, &r), 0);
	while (n < 4 && cc->codes[n] != EKU_V_OK)
		n++;
	if (eku_verify_result_passed(r) != cc->pass || eku_verify_result_error_count(r) != n) {
		print_error("case '%s': passed=%d errors=%zu (want %d, %zu)\n", cc->name,
			eku_verify_result_passed(r), eku_verify_result_error_count(r), cc->pass, n);
		for (size_t k = 0; k < eku_verify_result_error_count(r); k++)
			print_error("  %s: %s\n", eku_verify_code_name(eku_verify_result_error_get0(r, k)->code),
				eku_verify_result_error_get0(r, k)->message);
		fail();
	}
	for (size_t k = 0; k < n; k++)
		assert_int_equal(eku_verify_result_error_get0(r, k)->code, cc->codes[k]);
	eku_verify_result_free(r);
	eku_verify_config_free(cfg);
	eku_cert_free(leaf);
}

static void test_chain_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++)
		run_ccase(&ccases[i]);
}

/* The verdicts under the other policies explain themselves. */
static void test_other_policies(void **state)
{
	const struct fcase fc = { "x", "leaf-server-only", EKU_VERIFY_ROLE_CLIENT,
		EKU_VERIFY_ENFORCE, "sip.partner.example", false, false, { 0 } };
	eku_cert *leaf = load_one(fix(fc.leaf));
	eku_verify_config *cfg = fixture_config(&fc, eku_cert_facts(leaf)->not_before + 86400);
	eku_verify_result *r = NULL;
	const char *why;
	bool ok;
	json_t *j;

	(void)state;
	assert_int_equal(eku_verify_cert(cfg, leaf, NULL, &r), 0);
	assert_false(eku_verify_result_passed(r));
	assert_int_equal(eku_verify_result_under(r, EKU_VERIFY_IGNORE_CLIENT_EKU, &ok, &why), 0);
	assert_true(ok);
	assert_string_equal(why, "SAN DNS sip.partner.example is allowed");
	assert_int_equal(eku_verify_result_under(r, EKU_VERIFY_ENFORCE, &ok, &why), 0);
	assert_false(ok);
	assert_string_equal(why, "leaf lacks clientAuth (EKU: serverAuth)");
	assert_int_equal(eku_verify_result_chain_len(r), 3);
	j = eku_verify_result_json(r);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "schema")), "eku/1");
	assert_string_equal(json_string_value(json_object_get(j, "result")), "fail");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j,
		"errors"), 0), "code")), "client_eku_missing");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(j,
		"under_other_policies"), "ignore-client-eku"), "result")), "pass");
	json_decref(j);
	eku_verify_result_free(r);
	eku_verify_config_free(cfg);
	eku_cert_free(leaf);
}

/* Allow-list matching rules, one named case per line. */
static void test_allowlist(void **state)
{
	static const struct {
		const char *name, *kind, *entry;
		bool match;
	} cases[] = {
		{ "exact DNS", "dns", "sip.partner.example", true },
		{ "DNS is case-insensitive", "dns", "SIP.Partner.Example", true },
		{ "wildcard covers one label", "dns", "*.partner.example", true },
		{ "wildcard does not cover two labels", "dns", "*.example", false },
		{ "other DNS", "dns", "sip.partner.example.evil", false },
		{ "exact IP", "ip", "192.0.2.10", true },
		{ "CIDR", "ip", "192.0.2.0/24", true },
		{ "other CIDR", "ip", "198.51.100.0/24", false },
		{ "CN", "cn", "sip.partner.example", true },
		{ "other CN", "cn", "sip", false },
	};
	eku_cert *leaf = load_one(fix("leaf-server-only"));

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		eku_allowlist *al = eku_allowlist_new();
		int rc = strcmp(cases[i].kind, "dns") == 0 ? eku_allowlist_add_dns(al, cases[i].entry)
			 : strcmp(cases[i].kind, "ip") == 0 ? eku_allowlist_add_ip(al, cases[i].entry)
							    : eku_allowlist_add_cn(al, cases[i].entry);
		if (strcmp(cases[i].entry, "*.example") == 0) {
			assert_int_equal(rc, -1); /* refused: would cover a whole TLD */
			assert_int_equal(eku_allowlist_error(al)->code, EKU_E_USAGE);
		} else {
			assert_int_equal(rc, 0);
			if (eku_allowlist_match(al, eku_cert_get0_x509(leaf), NULL, 0) != cases[i].match)
				fail_msg("allow-list case '%s'", cases[i].name);
		}
		eku_allowlist_free(al);
	}
	/* SPKI pin from the certificate file itself. */
	eku_allowlist *al = eku_allowlist_new();
	assert_int_equal(eku_allowlist_add_spki(al, fix("leaf-server-only")), 0);
	assert_true(eku_allowlist_match(al, eku_cert_get0_x509(leaf), NULL, 0));
	assert_int_equal(eku_allowlist_add_spki(al, "zz"), -1);
	assert_int_equal(eku_allowlist_add_ip(al, "300.1.1.1"), -1);
	eku_allowlist_free(al);
	eku_cert_free(leaf);
}

/* Allow-list DNS patterns: which are accepted, and why the others are refused
 * (RFC 6125 6.4.3 and the Public Suffix List; docs/verify.md). */
static void test_allowlist_patterns(void **state)
{
	static const struct {
		const char *pattern;
		int rc;            /* 0 accepted, -1 refused with EKU_E_USAGE */
		const char *why;   /* fragment of the refusal message */
	} cases[] = {
		{ "*.example.co.uk", 0, NULL },          /* registrable domain under co.uk */
		{ "*.partner.example", 0, NULL },        /* unlisted TLD: partner.example is registrable */
		{ "sip.partner.example", 0, NULL },
		{ "co.uk", 0, NULL },                    /* exact names are never expanded */
		{ "*.www.ck", 0, NULL },                 /* "!www.ck" exception to "*.ck" */
		{ "*.co.uk", -1, "ICANN section" },      /* public suffix, two labels */
		{ "*.com", -1, "ICANN section" },
		{ "*.example", -1, "ICANN section" },     /* implicit "*" rule: every TLD */
		{ "*.foo.ck", -1, "ICANN section" },     /* child of the "*.ck" wildcard rule */
		{ "*.CO.UK", -1, "ICANN section" },      /* case-insensitive */
		{ "*.xn--55qx5d.cn", -1, "ICANN section" }, /* IDN rule, as A-labels */
		{ "*.github.io", -1, "private section" }, /* PRIVATE DOMAINS are refused too */
		{ "*.user.github.io", 0, NULL },
		{ "a*.partner.example", -1, "partial-label" },
		{ "*a.partner.example", -1, "whole left-most label" },
		{ "sip.*.example", -1, "partial-label" },
		{ "*.*.example", -1, "partial-label" },
		{ "*", -1, "whole left-most label" },
		{ "*.", -1, "not a DNS name" },
		{ "a..example", -1, "not a DNS name" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		eku_allowlist *al = eku_allowlist_new();
		int rc = eku_allowlist_add_dns(al, cases[i].pattern);

		if (rc != cases[i].rc)
			fail_msg("pattern '%s': rc %d, want %d", cases[i].pattern, rc, cases[i].rc);
		if (rc != 0 && (eku_allowlist_error(al)->code != EKU_E_USAGE ||
				       strstr(eku_allowlist_error(al)->message, cases[i].why) == NULL))
			fail_msg("pattern '%s': error %d '%s', want usage '%s'", cases[i].pattern,
				eku_allowlist_error(al)->code, eku_allowlist_error(al)->message, cases[i].why);
		eku_allowlist_free(al);
	}
}

/* A leaf carrying only the given SAN (unsigned: matching reads SANs only). */
static X509 *leaf_with_san(const char *san)
{
	X509 *x = X509_new();
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);

	assert_non_null(x);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
	return x;
}

/* SAN side of DNS matching: a wildcard expands one whole label; a SAN that is
 * itself a wildcard (whole or partial label) only matches the identical
 * pattern, never an expansion. */
static void test_allowlist_san_match(void **state)
{
	static const struct {
		const char *pattern, *san;
		bool match;
	} cases[] = {
		{ "*.trunks.example", "DNS:a.trunks.example", true },
		{ "*.trunks.example", "DNS:A.TRUNKS.example", true },
		{ "*.trunks.example", "DNS:trunks.example", false },       /* no empty label */
		{ "*.trunks.example", "DNS:a.b.trunks.example", false },   /* one label only */
		{ "*.trunks.example", "DNS:a*.trunks.example", false },    /* partial-label SAN */
		{ "*.trunks.example", "DNS:*a.trunks.example", false },
		{ "*.trunks.example", "DNS:*.trunks.example", true },      /* literal equality */
		{ "*.trunks.example", "DNS:*.x.trunks.example", false },
		{ "*.trunks.example", "DNS:.trunks.example", false },
		{ "a.trunks.example", "DNS:*.trunks.example", false },     /* exact never expands the SAN */
		{ "a.trunks.example", "DNS:a*.trunks.example", false },
		{ "*.example.co.uk", "DNS:www.example.co.uk", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		eku_allowlist *al = eku_allowlist_new();
		X509 *x = leaf_with_san(cases[i].san);

		assert_int_equal(eku_allowlist_add_dns(al, cases[i].pattern), 0);
		if (eku_allowlist_match(al, x, NULL, 0) != cases[i].match)
			fail_msg("pattern '%s' vs %s: want %s", cases[i].pattern, cases[i].san,
				cases[i].match ? "match" : "no match");
		X509_free(x);
		eku_allowlist_free(al);
	}
}

static void test_config_errors(void **state)
{
	eku_verify_config *cfg = eku_verify_config_new();
	enum eku_verify_policy p;

	(void)state;
	assert_int_equal(eku_verify_config_add_trust_file(cfg, "/nonexistent/ca.pem"), -1);
	assert_int_equal(eku_verify_config_error(cfg)->code, EKU_E_IO);
	assert_int_equal(eku_verify_config_add_crl_file(cfg, fix("root")), -1);
	assert_int_equal(eku_verify_config_error(cfg)->code, EKU_E_BAD_DER);
	assert_int_equal(eku_verify_config_set_policy(cfg, EKU_VERIFY_IGNORE_CLIENT_EKU), 0);
	assert_int_equal(eku_verify_config_check(cfg), -1);
	assert_int_equal(eku_verify_config_error(cfg)->code, EKU_E_USAGE);
	assert_int_equal(eku_verify_policy_parse("ignore-client-eku", &p), 0);
	assert_int_equal(p, EKU_VERIFY_IGNORE_CLIENT_EKU);
	assert_int_equal(eku_verify_policy_parse("lax", &p), -1);
	eku_verify_config_free(cfg);
}

/* chain[].source in JSON: the file each certificate came from (the leaf's,
 * an --untrusted file's), null for an anchor from a store (docs/verify.md). */
static void test_chain_sources(void **state)
{
	eku_verify_config *cfg = eku_verify_config_new();
	X509_STORE *store = X509_STORE_new();
	eku_cert *root = load_one(fix("root")), *leaf = load_one(fix("leaf-dual"));
	eku_verify_result *r = NULL;
	json_t *j, *chain;

	(void)state;
	assert_non_null(root);
	assert_non_null(leaf);
	assert_int_equal(X509_STORE_add_cert(store, eku_cert_get0_x509(root)), 1);
	assert_int_equal(eku_verify_config_set1_store(cfg, store), 0);
	assert_int_equal(eku_verify_config_add_untrusted_file(cfg, fix("inter")), 0);
	assert_int_equal(eku_verify_config_set_role(cfg, EKU_VERIFY_ROLE_CLIENT), 0);
	assert_int_equal(eku_verify_cert(cfg, leaf, NULL, &r), 0);
	assert_true(eku_verify_result_passed(r));
	j = eku_verify_result_json(r);
	chain = json_object_get(j, "chain");
	assert_int_equal(json_array_size(chain), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(chain, 0), "source")),
		fix("leaf-dual"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(chain, 1), "source")),
		fix("inter"));
	if (!json_is_null(json_object_get(json_array_get(chain, 2), "source")))
		fail_msg("root from the store: source %s, want null",
			json_dumps(json_object_get(json_array_get(chain, 2), "source"), JSON_ENCODE_ANY));
	json_decref(j);
	eku_verify_result_free(r);
	eku_cert_free(leaf);
	eku_cert_free(root);
	X509_STORE_free(store);
	eku_verify_config_free(cfg);
}

int main(void)
{
	const char *s = getenv("EKU_SRCDIR");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_cases),
		cmocka_unit_test(test_chain_cases),
		cmocka_unit_test(test_other_policies),
		cmocka_unit_test(test_allowlist),
		cmocka_unit_test(test_allowlist_patterns),
		cmocka_unit_test(test_allowlist_san_match),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_chain_sources),
	};

	snprintf(srcdir, sizeof(srcdir), "%s", s != NULL ? s : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
