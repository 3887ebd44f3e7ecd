/* The document of `eku census --format json` (docs/census.md,
 * docs/schema/census.schema.json) read into typed rows for the page's
 * census section: every field the page shows is checked here, once, and
 * named as a path when it is wrong. Rows and months must come in the order
 * eku census writes them (census_key_cmp, the writers' own), with no key
 * twice (a duplicate would be counted twice on the page), and the rows and
 * the expiry histogram must add up to the totals: a document cut short,
 * merged by hand or edited is refused rather than drawn with numbers that
 * contradict each other. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <eku/html_report.h>
#include <eku/util.h>

#include "report_int.h"

#define N_EKU_CLASSES (EKU_CLASS_OTHER + 1)

/* A non-negative integer member; its path in the message. */
static int count(const json_t *o, const char *key, const char *where, uint64_t *out, eku_error *err)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL || !json_is_integer(v) || json_integer_value(v) < 0) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s%s%s: %s", where, *where ? "." : "", key,
			v == NULL ? "missing" : "expected an integer >= 0");
		return -1;
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int counts(const json_t *o, const char *where, struct eku_census_counts *n, eku_error *err)
{
	const json_t *sun = json_object_get(o, "sunset");
	uint64_t loses;
	char path[96];

	if (count(o, "certificates", where, &n->certificates, err) != 0 ||
	    count(o, "clientauth", where, &n->clientauth, err) != 0 ||
	    count(o, "loses_clientauth_at_renewal", where, &loses, err) != 0 ||
	    count(o, "expired", where, &n->expired, err) != 0 ||
	    rep_need(o, "sunset", JSON_OBJECT, false, where, err) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s%ssunset", where, *where ? "." : "");
	for (int v = 0; v < EKU_CENSUS_VERDICTS; v++)
		if (count(sun, eku_sunset_verdict_name((enum eku_sunset_verdict)v), path, &n->verdict[v], err) != 0)
			return -1;
	uint64_t judged = 0;
	bool wrapped = false;
	for (int v = 0; v < EKU_CENSUS_VERDICTS; v++) {
		wrapped |= judged + n->verdict[v] < judged;
		judged += n->verdict[v];
	}
	if (wrapped) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s.sunset: the verdicts add up to more than 2^64",
			*where ? where : "(top level)");
		return -1;
	}
	if (judged != n->certificates || n->clientauth > n->certificates || n->expired > n->certificates) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s: the counts contradict each other (certificates %" PRIu64
			", sunset verdicts adding up to %" PRIu64 ", clientauth %" PRIu64 ", expired %" PRIu64
			"): every certificate has one verdict", *where ? where : "(top level)", n->certificates, judged,
			n->clientauth, n->expired);
		return -1;
	}
	if (loses != n->verdict[EKU_SUNSET_AT_RISK]) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s%sloses_clientauth_at_renewal: %" PRIu64
			" differs from sunset.at_risk (%" PRIu64 "), which it equals", where, *where ? "." : "",
			loses, n->verdict[EKU_SUNSET_AT_RISK]);
		return -1;
	}
	return 0;
}

/* "YYYY-MM" as months since year 0 (as eku census counts them). */
static int month(const json_t *o, const char *key, const char *where, int32_t *out, eku_error *err)
{
	const char *s = json_string_value(json_object_get(o, key));
	int y = 0, m = 0;

	if (rep_need(o, key, JSON_STRING, false, where, err) != 0)
		return -1;
	if (strlen(s) != 7 || s[4] != '-' || strspn(s, "0123456789") != 4 || strspn(s + 5, "0123456789") != 2 ||
	    sscanf(s, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s.%s: \"%.40s\" is not a month (YYYY-MM)", where, key, s);
		return -1;
	}
	*out = (int32_t)(y * 12 + m - 1);
	return 0;
}

static int row(const json_t *o, const char *where, struct rep_census_row *r, eku_error *err)
{
	const char *kind, *cls;
	size_t k;

	if (!json_is_object(o)) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s: expected an object", where);
		return -1;
	}
	if (rep_need(o, "issuer", JSON_STRING, false, where, err) != 0 ||
	    rep_need(o, "issuer_kind", JSON_STRING, false, where, err) != 0 ||
	    rep_need(o, "eku_class", JSON_STRING, false, where, err) != 0 ||
	    month(o, "issue_month", where, &r->key.month, err) != 0 || counts(o, where, &r->n, err) != 0)
		return -1;
	r->key.group = rep_str(o, "issuer");
	kind = rep_str(o, "issuer_kind");
	if (strcmp(kind, "vendor") != 0 && strcmp(kind, "issuer_class") != 0) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s.issuer_kind: expected vendor or issuer_class, got \"%.40s\"",
			where, kind);
		return -1;
	}
	r->key.vendor = strcmp(kind, "vendor") == 0;
	cls = rep_str(o, "eku_class");
	for (k = 0; k < N_EKU_CLASSES && strcmp(cls, eku_eku_class_name((enum eku_eku_class)k)) != 0; k++)
		;
	if (k == N_EKU_CLASSES) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s.eku_class: expected one of none, server_only, client_only, "
			"server_client, any, other, got \"%.40s\"", where, cls);
		return -1;
	}
	r->key.eku_class = (enum eku_eku_class)k;
	return 0;
}

static int rows(const json_t *doc, struct rep_census *c, eku_error *err)
{
	const json_t *a = json_object_get(doc, "rows"), *v;
	struct eku_census_counts sum = { 0 };
	char where[48];
	size_t i;

	if (rep_need(doc, "rows", JSON_ARRAY, false, "", err) != 0)
		return -1;
	if ((c->rows = calloc(json_array_size(a) + 1, sizeof(*c->rows))) == NULL)
		goto nomem;
	json_array_foreach(a, i, v) {
		struct rep_census_row *r = &c->rows[i];
		snprintf(where, sizeof(where), "rows[%zu]", i);
		if (row(v, where, r, err) != 0)
			return -1;
		if (i > 0 && census_key_cmp(&c->rows[i - 1].key, &r->key) >= 0) {
			eku_error_set(err, EKU_E_BAD_DATA, "%s: %s (issuer, issue_month, eku_class) as rows[%zu]; eku "
				"census writes each key once, in order", where,
				census_key_cmp(&c->rows[i - 1].key, &r->key) == 0 ? "the same key" : "out of order after the key of",
				i - 1);
			return -1;
		}
		if (sum.certificates + r->n.certificates < sum.certificates) {
			eku_error_set(err, EKU_E_BAD_DATA, "%s.certificates: the rows add up to more than 2^64", where);
			return -1;
		}
		census_counts_add(&sum, &r->n); /* the other counters are at most certificates */
		c->n_rows++;
	}
	{
		/* The first counter that differs, by its name in the document. */
		const struct {
			const char *name;
			uint64_t rows, totals;
		} k[] = {
			{ "certificates", sum.certificates, c->totals.certificates },
			{ "clientauth", sum.clientauth, c->totals.clientauth },
			{ "expired", sum.expired, c->totals.expired },
			{ "sunset.not_affected", sum.verdict[EKU_SUNSET_NOT_AFFECTED], c->totals.verdict[EKU_SUNSET_NOT_AFFECTED] },
			{ "sunset.ok", sum.verdict[EKU_SUNSET_OK], c->totals.verdict[EKU_SUNSET_OK] },
			{ "sunset.at_risk", sum.verdict[EKU_SUNSET_AT_RISK], c->totals.verdict[EKU_SUNSET_AT_RISK] },
			{ "sunset.broken", sum.verdict[EKU_SUNSET_BROKEN], c->totals.verdict[EKU_SUNSET_BROKEN] },
			{ "sunset.unknown", sum.verdict[EKU_SUNSET_UNKNOWN], c->totals.verdict[EKU_SUNSET_UNKNOWN] },
		};
		for (size_t f = 0; f < sizeof(k) / sizeof(k[0]); f++)
			if (k[f].rows != k[f].totals) {
				eku_error_set(err, EKU_E_BAD_DATA, "rows: their %s add up to %" PRIu64 ", totals.%s says %"
					PRIu64 "; a census document cut short or edited?", k[f].name, k[f].rows, k[f].name,
					k[f].totals);
				return -1;
			}
	}
	return 0;
nomem:
	eku_error_set(err, EKU_E_NOMEM, "out of memory");
	return -1;
}

/* A histogram: months strictly ascending; its sum returned in *total. */
static int histogram(const json_t *doc, const char *key, struct rep_census_month **out, size_t *n,
	uint64_t *total, eku_error *err)
{
	const json_t *a = json_object_get(doc, key), *v;
	char where[48];
	size_t i;

	*total = 0;
	if (rep_need(doc, key, JSON_ARRAY, false, "", err) != 0)
		return -1;
	if ((*out = calloc(json_array_size(a) + 1, sizeof(**out))) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	json_array_foreach(a, i, v) {
		struct rep_census_month *m = &(*out)[i];
		snprintf(where, sizeof(where), "%s[%zu]", key, i);
		if (!json_is_object(v)) {
			eku_error_set(err, EKU_E_BAD_DATA, "%s: expected an object", where);
			return -1;
		}
		if (month(v, "month", where, &m->month, err) != 0 ||
		    count(v, "certificates", where, &m->certificates, err) != 0)
			return -1;
		if (i > 0 && (*out)[i - 1].month >= m->month) {
			eku_error_set(err, EKU_E_BAD_DATA, "%s.month: %s %s[%zu]; eku census writes each month once, "
				"ascending", where, (*out)[i - 1].month == m->month ? "the same month as" : "before",
				key, i - 1);
			return -1;
		}
		if (*total + m->certificates < *total) {
			eku_error_set(err, EKU_E_BAD_DATA, "%s.certificates: the months add up to more than 2^64", where);
			return -1;
		}
		*total += m->certificates;
		(*n)++;
	}
	return 0;
}

/* A string member quoted for a message, or "missing". */
static const char *shown(const json_t *o, const char *key, char *buf, size_t len)
{
	if (!json_is_string(json_object_get(o, key)))
		return json_object_get(o, key) == NULL ? "missing" : "not a string";
	snprintf(buf, len, "\"%.40s\"", rep_str(o, key));
	return buf;
}

int rep_census_read(const json_t *doc, struct rep_census *c, eku_error *err)
{
	const json_t *t;
	uint64_t expiries, losses;
	int64_t at;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(doc)) {
		eku_error_set(err, EKU_E_BAD_DATA, "(top level): expected an object: the output of 'eku census "
			"--format json'");
		return -1;
	}
	/* Another eku document (a plan, inspect output) is the likely mistake:
	 * say which one is wanted, whatever is missing. */
	if (strcmp(rep_str(doc, "schema"), "eku/1") != 0 || strcmp(rep_str(doc, "kind"), "census") != 0) {
		char schema[48], kind[48];
		eku_error_set(err, EKU_E_BAD_DATA, "schema, kind: %s, %s is not \"eku/1\", \"census\": give the "
			"output of 'eku census --format json'", shown(doc, "schema", schema, sizeof(schema)),
			shown(doc, "kind", kind, sizeof(kind)));
		return -1;
	}
	if (rep_need(doc, "at", JSON_STRING, false, "", err) != 0 ||
	    rep_need(doc, "totals", JSON_OBJECT, false, "", err) != 0 ||
	    rep_need(doc, "errors", JSON_ARRAY, false, "", err) != 0 ||
	    rep_need(doc, "warnings", JSON_ARRAY, false, "", err) != 0)
		return -1;
	if (eku_time_parse(rep_str(doc, "at"), &at) != 0) {
		eku_error_set(err, EKU_E_BAD_DATA, "at: \"%.40s\" is not an instant (YYYY-MM-DDTHH:MM:SSZ)",
			rep_str(doc, "at"));
		return -1;
	}
	c->at = rep_str(doc, "at");
	t = json_object_get(doc, "totals");
	if (counts(t, "totals", &c->totals, err) != 0 || count(t, "ca_certificates", "totals", &c->ca, err) != 0)
		return -1;
	c->n_errors = json_array_size(json_object_get(doc, "errors"));
	if (rows(doc, c, err) != 0 ||
	    histogram(doc, "expiries", &c->expiries, &c->n_expiries, &expiries, err) != 0 ||
	    histogram(doc, "clientauth_losses", &c->losses, &c->n_losses, &losses, err) != 0)
		return -1;
	/* Every counted certificate has one expiry month; every at_risk one has
	 * at most one loss month. */
	if (expiries != c->totals.certificates) {
		eku_error_set(err, EKU_E_BAD_DATA, "expiries: %" PRIu64 " certificates, totals.certificates says %"
			PRIu64, expiries, c->totals.certificates);
		return -1;
	}
	if (losses > c->totals.verdict[EKU_SUNSET_AT_RISK]) {
		eku_error_set(err, EKU_E_BAD_DATA, "clientauth_losses: %" PRIu64 " certificates, more than the %"
			PRIu64 " of totals.sunset.at_risk", losses, c->totals.verdict[EKU_SUNSET_AT_RISK]);
		return -1;
	}
	return 0;
}

void rep_census_clear(struct rep_census *c)
{
	free(c->rows);
	free(c->expiries);
	free(c->losses);
	memset(c, 0, sizeof(*c));
}

int eku_report_check_census(const json_t *census, eku_error *err)
{
	struct rep_census c;
	int rc = rep_census_read(census, &c, err);

	rep_census_clear(&c);
	return rc;
}
