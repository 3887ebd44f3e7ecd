/* The timeline as answers: clientAuth cut-offs the day before and after, the
 * validity caps at each step, ACME lifetimes, disputed alternatives. Every
 * expected date is in data/timeline.json; the table restates them so a data
 * edit that moves a date is noticed here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <eku/timeline.h>
#include <eku/util.h>

static eku_timeline *pol;

static int64_t T(const char *s)
{
	int64_t t = 0;
	assert_int_equal(eku_time_parse(s, &t), 0);
	return t;
}

struct ca_case {
	const char *name;
	const char *vendor, *profile;
	bool webpki;
	const char *at;
	bool issues;
	const char *rule; /* deciding rule id, NULL when none */
};

static const struct ca_case ca_cases[] = {
	{ "LE classic: day before the cut-off", "letsencrypt", "classic", true, "2026-02-10T23:59:59Z", true, "le-classic-no-clientauth" },
	{ "LE classic: on the cut-off", "letsencrypt", "classic", true, "2026-02-11", false, "le-classic-no-clientauth" },
	{ "LE default profile is classic", "letsencrypt", NULL, true, "2026-02-11", false, "le-classic-no-clientauth" },
	{ "LE tlsclient: day before retirement", "letsencrypt", "tlsclient", true, "2026-07-07", true, "le-tlsclient-retired" },
	{ "LE tlsclient: retired", "letsencrypt", "tlsclient", true, "2026-07-08", false, "le-tlsclient-retired" },
	{ "GTS: day before phase 2", "google-trust-services", NULL, true, "2026-04-12", true, "gts-phase2" },
	{ "GTS: phase 2", "google-trust-services", NULL, true, "2026-04-13", false, "gts-phase2" },
	{ "Sectigo: current claim, not the disputed reseller dates", "sectigo", NULL, true, "2026-05-15", false, "sectigo-hard-deadline-faq" },
	{ "Certum: 2026-05-15 is the last day with clientAuth", "certum", NULL, true, "2026-05-15T12:00:00Z", true, "certum-clientauth-end" },
	{ "Certum: none from 2026-05-16", "certum", NULL, true, "2026-05-16", false, "certum-clientauth-end" },
	{ "DigiCert: day before", "digicert", NULL, true, "2027-02-28", true, "digicert-full-removal" },
	{ "DigiCert: cut-off", "digicert", NULL, true, "2027-03-01", false, "digicert-full-removal" },
	{ "no vendor rule: Chrome leaf rule the day before", "globalsign", NULL, true, "2027-03-14T23:59:59Z", true, "crp-leaf-serverauth-only" },
	{ "no vendor rule: Chrome leaf rule on 2027-03-15", "globalsign", NULL, true, "2027-03-15", false, "crp-leaf-serverauth-only" },
	{ "time zone: 23:30-01:00 on 03-14 is 03-15 UTC", "globalsign", NULL, true, "2027-03-14T23:30:00-01:00", false, "crp-leaf-serverauth-only" },
	{ "time zone: 00:30+01:00 on 03-15 is 03-14 UTC", "globalsign", NULL, true, "2027-03-15T00:30:00+01:00", true, "crp-leaf-serverauth-only" },
	{ "private PKI: no rule ever", NULL, NULL, false, "2030-01-01", true, NULL },
};

static void ca_case(void **state)
{
	const struct ca_case *c = *state;
	const struct eku_rule *why = NULL;

	assert_int_equal(eku_timeline_issues_clientauth(pol, c->vendor, c->profile, c->webpki, T(c->at), &why), c->issues);
	if (c->rule == NULL)
		assert_null(why);
	else {
		assert_non_null(why);
		assert_string_equal(why->id, c->rule);
	}
}

struct cap_case {
	const char *name, *at;
	int days;
};

static const struct cap_case cap_cases[] = {
	{ "398 days the day before SC-081's first step", "2026-03-14T23:59:59Z", 398 },
	{ "200 days from 2026-03-15", "2026-03-15", 200 },
	{ "200 days on leap day 2028-02-29 is past: 100", "2028-02-29", 100 },
	{ "100 days from 2027-03-15", "2027-03-15", 100 },
	{ "47 days from 2029-03-15", "2029-03-15", 47 },
};

static void cap_case(void **state)
{
	const struct cap_case *c = *state;
	assert_int_equal(eku_timeline_max_validity(pol, T(c->at), NULL), c->days);
}

static void acme_lifetimes(void **state)
{
	(void)state;
	assert_int_equal(eku_timeline_acme_lifetime(pol, "letsencrypt", "classic", T("2027-02-09"), NULL), 90);
	assert_int_equal(eku_timeline_acme_lifetime(pol, "letsencrypt", NULL, T("2027-02-10"), NULL), 64);
	assert_int_equal(eku_timeline_acme_lifetime(pol, "letsencrypt", "classic", T("2028-02-16"), NULL), 45);
	assert_int_equal(eku_timeline_acme_lifetime(pol, "digicert", NULL, T("2028-02-16"), NULL), 0);
}

static void alternatives_named(void **state)
{
	const struct eku_rule *r = eku_timeline_rule(pol, "sectigo-hard-deadline-faq"), *a;

	(void)state;
	assert_non_null(r);
	assert_int_equal(r->n_alternatives, 2);
	a = eku_timeline_rule(pol, r->alternatives[0]);
	assert_non_null(a);
	assert_string_equal(a->status, "disputed");
	/* A superseded claim never decides. */
	assert_true(eku_timeline_issues_clientauth(pol, "digicert", NULL, true, T("2026-05-02"), NULL));
}

static void last_profile(void **state)
{
	const char *prof = NULL;
	const struct eku_rule *r = eku_timeline_clientauth_last(pol, "letsencrypt", true, &prof);

	(void)state;
	assert_non_null(r);
	assert_string_equal(r->id, "le-tlsclient-retired");
	assert_string_equal(prof, "tlsclient");
}

static void bad_timeline(void **state)
{
	eku_timeline *p = eku_timeline_new();
	static const char bad[] = "{\"rules\":[{\"id\":\"x\",\"kind\":\"info\",\"date\":\"soon\"}]}";

	(void)state;
	assert_int_equal(eku_timeline_load_mem(p, "t.json", bad, strlen(bad)), -1);
	assert_int_equal(eku_timeline_error(p)->code, EKU_E_BAD_DATA);
	assert_non_null(strstr(eku_timeline_error(p)->message, "rule #1"));
	eku_timeline_free(p);
}

static int setup(void **state)
{
	(void)state;
	pol = eku_timeline_new();
	return pol != NULL && eku_timeline_load(pol, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	eku_timeline_free(pol);
	return 0;
}

int main(void)
{
	enum { NC = sizeof(ca_cases) / sizeof(ca_cases[0]), NV = sizeof(cap_cases) / sizeof(cap_cases[0]) };
	struct CMUnitTest t[NC + NV + 4];
	size_t n = 0;

	for (size_t i = 0; i < NC; i++)
		t[n++] = (struct CMUnitTest){ ca_cases[i].name, ca_case, NULL, NULL, (void *)&ca_cases[i] };
	for (size_t i = 0; i < NV; i++)
		t[n++] = (struct CMUnitTest){ cap_cases[i].name, cap_case, NULL, NULL, (void *)&cap_cases[i] };
	t[n++] = (struct CMUnitTest){ "ACME lifetimes per profile and date", acme_lifetimes, NULL, NULL, NULL };
	t[n++] = (struct CMUnitTest){ "disputed and superseded claims are named, never decide", alternatives_named, NULL, NULL, NULL };
	t[n++] = (struct CMUnitTest){ "option B: the profile that keeps clientAuth longest", last_profile, NULL, NULL, NULL };
	t[n++] = (struct CMUnitTest){ "malformed timeline: bad_data with the rule number", bad_timeline, NULL, NULL, NULL };
	return _cmocka_run_group_tests("policy", t, n, setup, teardown);
}
