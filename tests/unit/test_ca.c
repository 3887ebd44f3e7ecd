/* ca: profiles as data, name constraints, the store (issue, revoke, CRL
 * numbers, list, check), bad input leaving the store untouched, and two
 * threads issuing into one CA. Negative cases assert the exact error code. */
#include <pthread.h>
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

#include <cmocka.h>

#include <eku/ca.h>

static const int64_t NOW = 1796000000; /* 2026-11-29 */

static char *make_ca(const char *const *permit, size_t n, const char *pass)
{
	char tmpl[] = "/tmp/eku-ca-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct eku_ca_init_opts o = { .permit_dns = permit, .n_permit_dns = n, .passphrase = pass,
		.now = NOW };
	eku_error err = { 0 };
	static char keep[8][64];
	static int next;

	assert_non_null(dir);
	assert_int_equal(eku_ca_init(dir, &o, &err), 0);
	snprintf(keep[next % 8], sizeof(keep[0]), "%s", dir);
	return keep[next++ % 8];
}

static void rm_ca(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int count_rows(const struct eku_ca_record *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static int rows(eku_ca *ca, int64_t expiring)
{
	int n = 0;

	assert_int_equal(eku_ca_list(ca, expiring, count_rows, &n), 0);
	return n;
}

static void test_profiles_are_data(void **state)
{
	static const struct { const char *name; unsigned eku; bool need_dns; } want[] = {
		{ "client", EKU_CA_EKU_CLIENT, false },
		{ "server", EKU_CA_EKU_SERVER, true },
		{ "dual", EKU_CA_EKU_CLIENT | EKU_CA_EKU_SERVER, true },
		{ "expressway-client", EKU_CA_EKU_CLIENT, true },
	};
	(void)state;
	assert_int_equal(eku_ca_profile_count(), 4);
	for (size_t i = 0; i < 4; i++) {
		const struct eku_ca_profile *p = eku_ca_profile_find(want[i].name);
		assert_non_null(p);
		assert_int_equal(p->eku, want[i].eku);
		assert_int_equal(p->need_dns_san, want[i].need_dns);
		assert_true(p->default_days > 0 && p->default_days <= p->max_days);
	}
	assert_null(eku_ca_profile_find("Client"));
	assert_null(eku_ca_profile_find("superuser"));
	assert_null(eku_ca_profile_find(NULL));
}

static void test_names_parse(void **state)
{
	enum eku_ca_keyalg a;
	int r;

	(void)state;
	assert_int_equal(eku_ca_keyalg_parse("P384", &a), 0);
	assert_int_equal(a, EKU_CA_KEY_P384);
	assert_int_equal(eku_ca_keyalg_parse("rsa2048", &a), -1);
	assert_int_equal(eku_ca_reason_parse("keyCompromise", &r), 0);
	assert_int_equal(r, 1);
	assert_int_equal(eku_ca_reason_parse("certificateHold", &r), -1); /* not for leaves here */
	assert_string_equal(eku_ca_reason_name(4), "superseded");
}

static const struct {
	const char *name;
	const char *profile;
	const char *san;
	int rc;
	enum eku_errcode code;
} issue_cases[] = {
	{ "client, name under the constraint", "client", "DNS:a.example.com", 0, EKU_E_OK },
	{ "the constraint name itself", "client", "example.com", 0, EKU_E_OK },
	{ "two labels down", "dual", "DNS:x.y.example.com", 0, EKU_E_OK },
	{ "IP SAN is not DNS-constrained", "client", "IP:192.0.2.1", 0, EKU_E_OK },
	{ "suffix without a dot boundary", "client", "DNS:badexample.com", -1, EKU_E_POLICY },
	{ "constraint as a label in the middle", "client", "DNS:example.com.evil.org", -1, EKU_E_POLICY },
	{ "unknown profile", "root", "DNS:a.example.com", -1, EKU_E_USAGE },
	{ "server needs a DNS SAN", "server", "IP:192.0.2.1", -1, EKU_E_USAGE },
	{ "not a SAN", "client", "DNS:has space.example.com", -1, EKU_E_USAGE },
	{ "unknown SAN type", "client", "x400:foo", -1, EKU_E_USAGE },
};

static void test_issue_table(void **state)
{
	const char *permit[] = { "example.com" };
	char *dir = make_ca(permit, 1, NULL);
	eku_error err = { 0 };
	eku_ca *ca = eku_ca_open(dir, &err);
	int ok = 0;

	(void)state;
	assert_non_null(ca);
	for (size_t i = 0; i < sizeof(issue_cases) / sizeof(issue_cases[0]); i++) {
		const char *sans[] = { issue_cases[i].san };
		struct eku_ca_issue_req r = { .profile = issue_cases[i].profile, .sans = sans, .n_sans = 1,
			.now = NOW };
		struct eku_ca_issued out;
		int rc = eku_ca_issue(ca, &r, &out);
		if (rc != issue_cases[i].rc || (rc != 0 && eku_ca_error(ca)->code != issue_cases[i].code))
			fail_msg("%s: rc %d code %s (%s)", issue_cases[i].name, rc,
				eku_errcode_name(eku_ca_error(ca)->code), eku_ca_error(ca)->message);
		ok += rc == 0;
		/* A refused request leaves no record behind. */
		assert_int_equal(rows(ca, 0), ok);
	}
	assert_int_equal(eku_ca_check(ca, false, NULL, NULL), 0);
	eku_ca_free(ca);
	rm_ca(dir);
}

static void ignore_finding(enum eku_ca_finding_kind k, const char *what, const char *explain, void *arg)
{
	(void)k, (void)what, (void)explain;
	(*(int *)arg)++;
}

static void test_revoke_crl_list_check(void **state)
{
	char *dir = make_ca(NULL, 0, NULL);
	eku_error err = { 0 };
	eku_ca *ca = eku_ca_open(dir, &err);
	const char *sans[] = { "DNS:c.example.net" };
	struct eku_ca_issue_req r = { .profile = "client", .sans = sans, .n_sans = 1, .days = 20,
		.now = NOW };
	struct eku_ca_issued a, b;
	long n1 = 0, n2 = 0;
	int findings = 0;
	struct stat st;

	(void)state;
	assert_non_null(ca);
	assert_int_equal(eku_ca_issue(ca, &r, &a), 0);
	r.days = 0;
	assert_int_equal(eku_ca_issue(ca, &r, &b), 0);
	assert_string_not_equal(a.serial, b.serial);
	assert_int_equal(strlen(a.serial), 32);
	assert_int_equal(stat(a.key_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(rows(ca, NOW + 30 * 86400), 1); /* only the 20-day one */
	assert_int_equal(eku_ca_revoke(ca, a.serial, 1, NOW), 0);
	assert_int_equal(eku_ca_revoke(ca, a.serial, 1, NOW), -1);
	assert_int_equal(eku_ca_error(ca)->code, EKU_E_USAGE);
	assert_int_equal(eku_ca_revoke(ca, "00112233", 1, NOW), -1);
	assert_int_equal(eku_ca_revoke(ca, "not-hex", 1, NOW), -1);
	assert_int_equal(rows(ca, NOW + 30 * 86400), 0); /* revoked ones are not "expiring" */
	assert_int_equal(eku_ca_crl(ca, 7, NULL, NOW, &n1), 0);
	assert_int_equal(eku_ca_crl(ca, 7, NULL, NOW, &n2), 0);
	assert_int_equal(n1, 1);
	assert_int_equal(n2, 2);
	assert_int_equal(eku_ca_check(ca, false, ignore_finding, &findings), 0);
	assert_int_equal(findings, 0);
	/* A file the database never issued is an error. */
	char orphan[4200];
	snprintf(orphan, sizeof(orphan), "%s/issued/0ABC.crt", dir);
	FILE *f = fopen(orphan, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(eku_ca_check(ca, false, ignore_finding, &findings), 1);
	eku_ca_free(ca);
	rm_ca(dir);
}

static void test_passphrase(void **state)
{
	char *dir = make_ca(NULL, 0, "s3cret");
	eku_error err = { 0 };
	eku_ca *ca = eku_ca_open(dir, &err);
	const char *sans[] = { "DNS:p.example.net" };
	struct eku_ca_issue_req r = { .profile = "client", .sans = sans, .n_sans = 1, .now = NOW };
	struct eku_ca_issued out;

	(void)state;
	assert_non_null(ca);
	assert_true(eku_ca_keys_encrypted(ca));
	assert_int_equal(eku_ca_issue(ca, &r, &out), -1);
	assert_int_equal(eku_ca_error(ca)->code, EKU_E_USAGE);
	assert_int_equal(eku_ca_set_passphrase(ca, "wrong"), 0);
	assert_int_equal(eku_ca_issue(ca, &r, &out), -1);
	assert_int_equal(eku_ca_error(ca)->code, EKU_E_PKCS12_PASSWORD);
	assert_int_equal(rows(ca, 0), 0);
	assert_int_equal(eku_ca_set_passphrase(ca, "s3cret"), 0);
	assert_int_equal(eku_ca_issue(ca, &r, &out), 0);
	eku_ca_free(ca);
	rm_ca(dir);
}

static void test_not_a_ca(void **state)
{
	eku_error err = { 0 };
	char tmpl[] = "/tmp/eku-ca-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct eku_ca_init_opts o = { .now = NOW };

	(void)state;
	assert_null(eku_ca_open(dir, &err));
	assert_int_equal(err.code, EKU_E_USAGE);
	assert_non_null(strstr(err.message, "eku ca init"));
	assert_null(eku_ca_open("/nonexistent/eku-ca", &err));
	/* init refuses a non-empty directory and leaves it alone */
	char p[128];
	snprintf(p, sizeof(p), "%s/keep.txt", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(eku_ca_init(dir, &o, &err), -1);
	assert_int_equal(access(p, F_OK), 0);
	rm_ca(dir);
}

struct worker {
	const char *dir;
	char serials[5][40];
	int rc;
};

static void *issue_five(void *arg)
{
	struct worker *w = arg;
	eku_error err = { 0 };
	eku_ca *ca = eku_ca_open(w->dir, &err);
	const char *sans[] = { "DNS:t.example.net" };
	struct eku_ca_issue_req r = { .profile = "client", .sans = sans, .n_sans = 1, .now = NOW };
	struct eku_ca_issued out;

	w->rc = ca == NULL ? -1 : 0;
	for (int i = 0; i < 5 && w->rc == 0; i++) {
		w->rc = eku_ca_issue(ca, &r, &out);
		memcpy(w->serials[i], out.serial, sizeof(out.serial));
	}
	eku_ca_free(ca);
	return NULL;
}

static void test_two_threads(void **state)
{
	char *dir = make_ca(NULL, 0, NULL);
	struct worker w[2] = { { .dir = dir }, { .dir = dir } };
	pthread_t t[2];

	(void)state;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, issue_five, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(w[0].rc, 0);
	assert_int_equal(w[1].rc, 0);
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 5; j++)
			assert_string_not_equal(w[0].serials[i], w[1].serials[j]);
	rm_ca(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profiles_are_data),
		cmocka_unit_test(test_names_parse),
		cmocka_unit_test(test_issue_table),
		cmocka_unit_test(test_revoke_crl_list_check),
		cmocka_unit_test(test_passphrase),
		cmocka_unit_test(test_not_a_ca),
		cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
