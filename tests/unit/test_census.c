/* census: exact counts on a known set of fixtures, merge, writers.
 *
 * Expectations worked out by hand from tests/data/make-certs.sh and
 * test_sunset.c, at 2026-04-01 with the private chain and the fake Let's
 * Encrypt hierarchy declared public:
 *   private (vendor unknown), issued 2026-01: server_only, client_only,
 *     server_client, none, any, other (leaf-*.pem), expiring 2027-04;
 *   private, issued 2024-01: leaf-dual-expired (server_client, expired
 *     2025-01), not_affected like every private leaf (NOT_PUBLIC comes first);
 *   letsencrypt, issued 2026-03, expiring 2026-05: leaf-fake-le-dual
 *     (at_risk, renewal 2026-05-29 drops clientAuth), leaf-fake-le-server
 *     (broken: no clientAuth);
 *   private-ca.pem: a CA certificate, counted apart.
 * clientAuth carried by client_only, server_client (3 of them) and none: 5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"

#include <eku/census.h>
#include <eku/cert.h>
#include <eku/sunset.h>
#include <eku/timeline.h>
#include <eku/trust.h>

static const char *const inputs[] = {
	"leaf-server-only.pem", "leaf-client-only.pem", "leaf-dual.pem", "leaf-none.pem",
	"leaf-any.pem", "leaf-other.pem", "leaf-dual-expired.pem", "leaf-fake-le-dual.pem",
	"leaf-fake-le-server.pem", "private-ca.pem",
};
#define N_INPUTS (sizeof(inputs) / sizeof(inputs[0]))

struct env {
	eku_trust *t;
	eku_timeline *pol;
	int64_t at;
};

static int64_t day(const char *s)
{
	int64_t t = 0;

	assert_int_equal(eku_time_parse(s, &t), 0);
	return t;
}

static void env_init(struct env *e)
{
	e->t = eku_trust_new();
	e->pol = eku_timeline_new();
	e->at = day("2026-04-01");
	assert_int_equal(eku_timeline_load(e->pol, NULL), 0);
	assert_int_equal(eku_trust_add_public_root_file(e->t, fixture("fake-le-root.pem"), "letsencrypt"), 0);
	assert_int_equal(eku_trust_add_untrusted_file(e->t, fixture("fake-le-r3.pem")), 0);
	assert_int_equal(eku_trust_add_untrusted_file(e->t, fixture("private-root.pem")), 0);
	assert_int_equal(eku_trust_add_untrusted_file(e->t, fixture("private-ca.pem")), 0);
}

static void env_free(struct env *e)
{
	eku_trust_free(e->t);
	eku_timeline_free(e->pol);
}

/* Adds inputs [from, to) to cen the way eku census does. */
static void add_inputs(struct env *e, eku_census *cen, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		eku_certlist *l = fixture_load(fixture(inputs[i]));

		for (size_t k = 0; k < eku_certlist_count(l); k++) {
			const eku_cert *c = eku_certlist_get0(l, k);
			struct eku_classification *cl = eku_trust_classify(e->t, c, l);
			struct eku_sunset s;

			assert_non_null(cl);
			eku_sunset_judge(e->pol, c, cl, e->at, &s);
			assert_int_equal(eku_census_add(cen, eku_cert_facts(c), cl, &s), 0);
			eku_classification_free(cl);
		}
		eku_certlist_free(l);
	}
}

static json_t *find_row(json_t *rows, const char *issuer, const char *month, const char *cls)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r)
		if (strcmp(json_string_value(json_object_get(r, "issuer")), issuer) == 0 &&
		    strcmp(json_string_value(json_object_get(r, "issue_month")), month) == 0 &&
		    strcmp(json_string_value(json_object_get(r, "eku_class")), cls) == 0)
			return r;
	fail_msg("no row %s %s %s", issuer, month, cls);
	return NULL;
}

static json_int_t num(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static void test_exact_counts(void **state)
{
	struct env e;
	eku_census *cen;
	struct eku_census_totals tot;
	json_t *doc, *rows, *r, *sun;

	(void)state;
	env_init(&e);
	cen = eku_census_new(e.at);
	add_inputs(&e, cen, 0, N_INPUTS);
	eku_census_get_totals(cen, &tot);
	assert_int_equal(tot.all.certificates, 9);
	assert_int_equal(tot.ca_certificates, 1);
	assert_int_equal(tot.all.clientauth, 5);
	assert_int_equal(tot.all.expired, 1);
	assert_int_equal(tot.all.verdict[EKU_SUNSET_NOT_AFFECTED], 7);
	assert_int_equal(tot.all.verdict[EKU_SUNSET_AT_RISK], 1);
	assert_int_equal(tot.all.verdict[EKU_SUNSET_BROKEN], 1);
	assert_int_equal(tot.all.verdict[EKU_SUNSET_OK], 0);
	assert_int_equal(tot.all.verdict[EKU_SUNSET_UNKNOWN], 0);
	assert_int_equal(tot.rows, 9);

	doc = eku_census_json(cen);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "eku/1");
	assert_string_equal(json_string_value(json_object_get(doc, "at")), "2026-04-01T00:00:00Z");
	rows = json_object_get(doc, "rows");
	assert_int_equal(json_array_size(rows), 9);
	/* Vendors first, then classes by name; months then classes in order. */
	r = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(r, "issuer")), "letsencrypt");
	assert_string_equal(json_string_value(json_object_get(r, "issuer_kind")), "vendor");
	assert_string_equal(json_string_value(json_object_get(r, "eku_class")), "server_only");
	r = json_array_get(rows, 2);
	assert_string_equal(json_string_value(json_object_get(r, "issue_month")), "2024-01");
	assert_string_equal(json_string_value(json_object_get(r, "issuer_kind")), "issuer_class");
	r = find_row(rows, "letsencrypt", "2026-03", "server_client");
	assert_int_equal(num(r, "certificates"), 1);
	assert_int_equal(num(r, "clientauth"), 1);
	assert_int_equal(num(r, "loses_clientauth_at_renewal"), 1);
	sun = json_object_get(r, "sunset");
	assert_int_equal(num(sun, "at_risk"), 1);
	assert_int_equal(num(sun, "broken"), 0);
	r = find_row(rows, "letsencrypt", "2026-03", "server_only");
	assert_int_equal(num(json_object_get(r, "sunset"), "broken"), 1);
	assert_int_equal(num(r, "clientauth"), 0);
	r = find_row(rows, "private", "2026-01", "none");
	assert_int_equal(num(r, "clientauth"), 1);
	r = find_row(rows, "private", "2026-01", "any");
	assert_int_equal(num(r, "clientauth"), 0);
	r = find_row(rows, "private", "2024-01", "server_client");
	assert_int_equal(num(r, "expired"), 1);
	assert_int_equal(num(json_object_get(r, "sunset"), "not_affected"), 1);

	json_t *exp = json_object_get(doc, "expiries");
	assert_int_equal(json_array_size(exp), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(exp, 0), "month")), "2025-01");
	assert_int_equal(num(json_array_get(exp, 1), "certificates"), 2); /* 2026-05 */
	assert_int_equal(num(json_array_get(exp, 2), "certificates"), 6); /* 2027-04 */
	json_t *loss = json_object_get(doc, "clientauth_losses");
	assert_int_equal(json_array_size(loss), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(loss, 0), "month")), "2026-05");
	json_decref(doc);
	eku_census_free(cen);
	env_free(&e);
}

/* Two per-thread censuses merged equal one census over everything. */
static void test_merge(void **state)
{
	struct env e;
	eku_census *all, *a, *b, *other;
	json_t *ja, *jm;

	(void)state;
	env_init(&e);
	all = eku_census_new(e.at);
	a = eku_census_new(e.at);
	b = eku_census_new(e.at);
	add_inputs(&e, all, 0, N_INPUTS);
	add_inputs(&e, a, 0, 4);
	add_inputs(&e, b, 4, N_INPUTS);
	assert_int_equal(eku_census_merge(a, b), 0);
	ja = eku_census_json(all);
	jm = eku_census_json(a);
	assert_true(json_equal(ja, jm));
	/* Merging twice doubles every count. */
	assert_int_equal(eku_census_merge(a, all), 0);
	struct eku_census_totals t;
	eku_census_get_totals(a, &t);
	assert_int_equal(t.all.certificates, 18);
	assert_int_equal(t.rows, 9);
	/* Different instants do not mix. */
	other = eku_census_new(e.at + 1);
	assert_int_equal(eku_census_merge(other, all), -1);
	assert_int_equal(eku_census_error(other)->code, EKU_E_USAGE);
	json_decref(ja);
	json_decref(jm);
	eku_census_free(all);
	eku_census_free(a);
	eku_census_free(b);
	eku_census_free(other);
	env_free(&e);
}

/* Without classification or verdict a certificate still counts, as unknown. */
static void test_unclassified(void **state)
{
	eku_certlist *l = fixture_load(fixture("leaf-dual.pem"));
	eku_census *cen = eku_census_new(day("2026-11-27"));
	struct eku_census_totals t;
	json_t *doc;

	(void)state;
	assert_int_equal(eku_census_add(cen, eku_cert_facts(eku_certlist_get0(l, 0)), NULL, NULL), 0);
	eku_census_get_totals(cen, &t);
	assert_int_equal(t.all.verdict[EKU_SUNSET_UNKNOWN], 1);
	doc = eku_census_json(cen);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "rows"), 0),
		"issuer")), "unknown");
	json_decref(doc);
	eku_census_free(cen);
	eku_certlist_free(l);
}

static char *write_to_mem(eku_census *cen, int (*w)(const eku_census *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(w(cen, f), 0);
	fclose(f);
	return buf;
}

static void test_writers(void **state)
{
	struct env e;
	eku_census *cen;
	char *text, *csv, *line, *save = NULL;
	int lines = 0;

	(void)state;
	env_init(&e);
	cen = eku_census_new(e.at);
	add_inputs(&e, cen, 0, N_INPUTS);
	text = write_to_mem(cen, eku_census_write_text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 80)
			fail_msg("text line over 80 columns: %s", line);
	csv = write_to_mem(cen, eku_census_write_csv);
	assert_true(strncmp(csv, "record,issuer_kind,issuer,month,eku_class,certificates,clientauth,expired,"
		"not_affected,ok,at_risk,broken,unknown\ntotal,,,,,9,5,1,7,0,1,1,0\nca_certificates,,,,,1,", 160) == 0);
	assert_non_null(strstr(csv, "\nrow,vendor,letsencrypt,2026-03,server_client,1,1,0,0,0,1,0,0\n"));
	assert_non_null(strstr(csv, "\nexpiry,,,2027-04,,6,,,,,,,\n"));
	assert_non_null(strstr(csv, "\nclientauth_loss,,,2026-05,,1,,,,,,,\n"));
	for (char *p = csv; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1 + 2 + 9 + 3 + 1);
	free(text);
	free(csv);
	eku_census_free(cen);
	env_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_counts),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_unclassified),
		cmocka_unit_test(test_writers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
