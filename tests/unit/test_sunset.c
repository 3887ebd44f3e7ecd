/* sunset: the per-certificate verdict over the embedded timeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"

#include <eku/cert.h>
#include <eku/timeline.h>
#include <eku/sunset.h>
#include <eku/trust.h>

static int64_t day(const char *s)
{
	int64_t t = 0;

	assert_int_equal(eku_time_parse(s, &t), 0);
	return t;
}

static const struct {
	const char *name, *file, *at;
	int chain; /* 0 nothing, 1 the private chain, 2 the declared-public LE chain */
	enum eku_sunset_verdict verdict;
	const char *reason, *breaks_on;
} cases[] = {
	{ "issuer unknown without its chain", "leaf-dual.pem", "2026-11-27", 0,
	  EKU_SUNSET_UNKNOWN, "CHAIN_INCOMPLETE", NULL },
	{ "private PKI is not affected", "leaf-dual.pem", "2026-11-27", 1,
	  EKU_SUNSET_NOT_AFFECTED, "NOT_PUBLIC", NULL },
	{ "CA certificates are not judged", "private-ca.pem", "2026-11-27", 1,
	  EKU_SUNSET_NOT_AFFECTED, "CA_CERTIFICATE", NULL },
	{ "self-signed is not affected", "selfsigned-dual.pem", "2026-11-27", 0,
	  EKU_SUNSET_NOT_AFFECTED, "NOT_PUBLIC", NULL },
	/* Let's Encrypt classic stopped clientAuth on 2026-02-11: the renewal at
	 * expiry (2026-05-29) comes without it. */
	{ "public dual, renewal after the CA cut-off", "leaf-fake-le-dual.pem", "2026-04-01", 2,
	  EKU_SUNSET_AT_RISK, "RENEWAL_DROPS_CLIENTAUTH", "2026-05-29" },
	{ "public dual, expired", "leaf-fake-le-dual.pem", "2026-05-29", 2,
	  EKU_SUNSET_BROKEN, "EXPIRED", NULL },
	{ "public serverAuth-only is broken as a client", "leaf-fake-le-server.pem", "2026-04-01", 2,
	  EKU_SUNSET_BROKEN, "CLIENT_EKU_MISSING", NULL },
};

static void test_verdicts(void **state)
{
	eku_timeline *pol = eku_timeline_new();

	(void)state;
	assert_int_equal(eku_timeline_load(pol, NULL), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		eku_trust *t = eku_trust_new();
		eku_certlist *l = eku_certlist_new();
		eku_loader *ld = eku_loader_new();
		eku_diaglist d = { 0 };
		struct eku_classification *cl;
		struct eku_sunset s;
		char buf[16];

		if (cases[i].chain == 2) {
			assert_int_equal(eku_trust_add_public_root_file(t, fixture("fake-le-root.pem"), "letsencrypt"), 0);
			assert_int_equal(eku_trust_add_untrusted_file(t, fixture("fake-le-r3.pem")), 0);
		} else if (cases[i].chain == 1) {
			assert_int_equal(eku_trust_add_untrusted_file(t, fixture("private-root.pem")), 0);
			assert_int_equal(eku_trust_add_untrusted_file(t, fixture("private-ca.pem")), 0);
		}
		eku_loader_load_path(ld, fixture(cases[i].file), l, &d);
		cl = eku_trust_classify(t, eku_certlist_get0(l, 0), NULL);
		eku_sunset_judge(pol, eku_certlist_get0(l, 0), cl, day(cases[i].at), &s);
		if (s.verdict != cases[i].verdict || strcmp(s.reason, cases[i].reason) != 0)
			fail_msg("%s: %s/%s, want %s/%s (%s)", cases[i].name, eku_sunset_verdict_name(s.verdict),
				s.reason, eku_sunset_verdict_name(cases[i].verdict), cases[i].reason, s.explanation);
		if (cases[i].breaks_on != NULL)
			assert_string_equal(eku_time_date(s.breaks_on, buf, sizeof(buf)), cases[i].breaks_on);
		else
			assert_int_equal(s.breaks_on, 0);
		eku_classification_free(cl);
		eku_certlist_free(l);
		eku_loader_free(ld);
		eku_trust_free(t);
	}
	eku_timeline_free(pol);
}

/* DigiCert keeps clientAuth until 2027-03-01 (digicert-full-removal) but
 * only for who asks for it since 2025-10-01 (digicert-default-serverauth-only).
 * Asked for explicitly, a renewal the day before the cut-off still carries it
 * and the next renewal, after the 200-day cap, breaks; an ordinary renewal
 * breaks at once (issue 8, item 3: the break is the next ordinary renewal). */
static const struct {
	const char *name, *vendor, *nb, *na, *at;
	bool explicit_clientauth;
	const char *want, *rule;
} projections[] = {
	{ "asked for: renewal the day before the cut-off keeps clientAuth", "digicert", "2026-09-01",
	  "2027-02-28", "2026-11-27", true, "2027-09-16", "digicert-full-removal" },
	{ "asked for: renewal on the cut-off day drops it", "digicert", "2026-09-01", "2027-03-01",
	  "2026-11-27", true, "2027-03-01", "digicert-full-removal" },
	{ "ordinary renewal before the cut-off drops it (on request only)", "digicert", "2026-09-01",
	  "2027-02-28", "2026-11-27", false, "2027-02-28", "digicert-default-serverauth-only" },
	{ "sectigo: ordinary renewal in the on-request period drops it", "sectigo", "2025-06-01",
	  "2026-01-10", "2025-12-01", false, "2026-01-10", "sectigo-default-off" },
	{ "sectigo asked for: the 398-day renewal of 2026-01-10 keeps it, the next one breaks", "sectigo",
	  "2025-06-01", "2026-01-10", "2025-12-01", true, "2027-02-12", "sectigo-hard-deadline-faq" },
	{ "expired certificates are renewed now", "digicert", "2026-01-01", "2026-06-01", "2027-04-01", true,
	  "2027-04-01", "digicert-full-removal" },
};

static void test_projection(void **state)
{
	eku_timeline *pol = eku_timeline_new();
	struct eku_renewal brk;
	char buf[16];

	(void)state;
	assert_int_equal(eku_timeline_load(pol, NULL), 0);
	for (size_t i = 0; i < sizeof(projections) / sizeof(projections[0]); i++) {
		struct eku_renewer r = { pol, projections[i].vendor, NULL, true, false,
			projections[i].explicit_clientauth };
		int64_t b = eku_sunset_project_break(&r, day(projections[i].nb), day(projections[i].na),
			day(projections[i].at), &brk, NULL);
		if (strcmp(eku_time_date(b, buf, sizeof(buf)), projections[i].want) != 0)
			fail_msg("%s: %s, want %s", projections[i].name, buf, projections[i].want);
		assert_non_null(brk.why);
		if (strcmp(brk.why->id, projections[i].rule) != 0)
			fail_msg("%s: rule %s, want %s", projections[i].name, brk.why->id, projections[i].rule);
	}
	/* Outside the browser hierarchy (an alternative root) nothing ends it. */
	struct eku_renewer alt = { pol, "identrust", NULL, false, false, false };
	assert_int_equal(eku_sunset_project_break(&alt, day("2026-09-01"), day("2027-03-01"), day("2026-11-27"),
		&brk, NULL), 0);
	assert_null(brk.why);
	eku_timeline_free(pol);
}

/* Issue 8, item 2: a renewed certificate lives as long as its vendor's
 * profile issues (Let's Encrypt 90 -> 64 -> 45 days), capped by the CA/B
 * Forum maximum on the issue day — not the cap alone. */
static const struct {
	const char *name, *vendor, *profile, *at;
	int days;
	const char *rule;
} lifetimes[] = {
	{ "LE classic before 2027-02-10: its own 90 days, under the 200-day cap", "letsencrypt", NULL,
	  "2026-11-27", 90, "le-classic-90d" },
	{ "LE classic from 2027-02-10: 64 days", "letsencrypt", "classic", "2027-02-10", 64, "le-classic-64d" },
	{ "LE classic from 2028-02-16: 45 days", "letsencrypt", NULL, "2028-02-16", 45, "le-classic-45d" },
	{ "DigiCert: the cap, 200 days", "digicert", NULL, "2026-11-27", 200, "cabf-validity-200" },
	{ "DigiCert from 2027-03-15: the cap, 100 days", "digicert", NULL, "2027-03-15", 100, "cabf-validity-100" },
	{ "unknown vendor: the cap", NULL, NULL, "2029-03-15", 47, "cabf-validity-47" },
	{ "LE classic in 2029: its 45 days, under the 47-day cap", "letsencrypt", NULL, "2029-03-15", 45,
	  "le-classic-45d" },
};

static void test_lifetime(void **state)
{
	eku_timeline *pol = eku_timeline_new();
	const struct eku_rule *why;

	(void)state;
	assert_int_equal(eku_timeline_load(pol, NULL), 0);
	for (size_t i = 0; i < sizeof(lifetimes) / sizeof(lifetimes[0]); i++) {
		int d = eku_timeline_lifetime(pol, lifetimes[i].vendor, lifetimes[i].profile, day(lifetimes[i].at), &why);
		if (d != lifetimes[i].days || why == NULL || strcmp(why->id, lifetimes[i].rule) != 0)
			fail_msg("%s: %d days (%s), want %d (%s)", lifetimes[i].name, d, why ? why->id : "-",
				lifetimes[i].days, lifetimes[i].rule);
	}
	eku_timeline_free(pol);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_projection),
		cmocka_unit_test(test_lifetime),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
