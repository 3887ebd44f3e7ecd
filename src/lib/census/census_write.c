/* The census writers: JSON (schema eku/1, docs/schema/census.schema.json),
 * an 80-column text table and CSV. Order is deterministic (census_sorted_*). */
#include <stdlib.h>
#include <string.h>

#include <eku/report.h>
#include <eku/util.h>

#include "census_int.h"

static json_t *counts_json(const struct eku_census_counts *n)
{
	json_t *sun = json_object(), *o;

	for (int v = 0; v < EKU_CENSUS_VERDICTS; v++)
		json_object_set_new(sun, eku_sunset_verdict_name((enum eku_sunset_verdict)v),
			json_integer((json_int_t)n->verdict[v]));
	o = json_pack("{s:I,s:I,s:I,s:I,s:o}", "certificates", (json_int_t)n->certificates,
		"clientauth", (json_int_t)n->clientauth, "loses_clientauth_at_renewal",
		(json_int_t)n->verdict[EKU_SUNSET_AT_RISK], "expired", (json_int_t)n->expired,
		"sunset", sun);
	return o;
}

static json_t *hist_json(const struct census_hist *h)
{
	json_t *a = json_array();
	size_t *ix = census_sorted_hist(h);
	char m[16];

	if (a == NULL || ix == NULL) {
		json_decref(a);
		free(ix);
		return NULL;
	}
	for (size_t i = 0; i < h->n; i++)
		json_array_append_new(a, json_pack("{s:s,s:I}", "month",
			census_month_str(h->month[ix[i]], m, sizeof(m)), "certificates",
			(json_int_t)h->count[ix[i]]));
	free(ix);
	return a;
}

static json_t *rows_json(const eku_census *cen)
{
	json_t *a = json_array();
	size_t *ix = census_sorted_rows(cen);
	char m[16];

	if (a == NULL || ix == NULL) {
		json_decref(a);
		free(ix);
		return NULL;
	}
	for (size_t i = 0; i < cen->n_rows; i++) {
		const struct census_row *r = &cen->rows[ix[i]];
		json_t *o = counts_json(&r->n);

		json_object_set_new(o, "issuer", json_string(r->group));
		json_object_set_new(o, "issuer_kind", json_string(r->vendor ? "vendor" : "issuer_class"));
		json_object_set_new(o, "issue_month", json_string(census_month_str(r->month, m, sizeof(m))));
		json_object_set_new(o, "eku_class", json_string(eku_eku_class_name(r->eku_class)));
		json_array_append_new(a, o);
	}
	free(ix);
	return a;
}

json_t *eku_census_json(const eku_census *cen)
{
	char at[32];
	json_t *tot = counts_json(&cen->totals.all);

	if (tot != NULL)
		json_object_set_new(tot, "ca_certificates", json_integer((json_int_t)cen->totals.ca_certificates));
	return json_pack("{s:s,s:s,s:s,s:o*,s:o*,s:o*,s:o*}", "schema", EKU_SCHEMA, "kind", "census",
		"at", eku_time_iso(cen->at, at, sizeof(at)), "totals", tot, "rows", rows_json(cen),
		"expiries", hist_json(&cen->expiries), "clientauth_losses", hist_json(&cen->losses));
}

/* --- text ----------------------------------------------------------------- */

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void text_totals(const eku_census *cen, FILE *out)
{
	const struct eku_census_counts *t = &cen->totals.all;
	char at[32];

	fprintf(out, "eku census at %s\n\n", eku_time_iso(cen->at, at, sizeof(at)));
	fprintf(out, "  %-24s %10llu\n", "certificates", (unsigned long long)t->certificates);
	fprintf(out, "  %-24s %10llu %6.1f%%  server_client, client_only, none\n",
		"still carry clientAuth", (unsigned long long)t->clientauth, pct(t->clientauth, t->certificates));
	fprintf(out, "  %-24s %10llu %6.1f%%  sunset at_risk\n", "lose it at a renewal",
		(unsigned long long)t->verdict[EKU_SUNSET_AT_RISK],
		pct(t->verdict[EKU_SUNSET_AT_RISK], t->certificates));
	fprintf(out, "  %-24s %10llu %6.1f%%  sunset broken\n", "cannot act as TLS client",
		(unsigned long long)t->verdict[EKU_SUNSET_BROKEN],
		pct(t->verdict[EKU_SUNSET_BROKEN], t->certificates));
	fprintf(out, "  %-24s %10llu %6.1f%%  public, renewals keep it\n", "sunset ok",
		(unsigned long long)t->verdict[EKU_SUNSET_OK], pct(t->verdict[EKU_SUNSET_OK], t->certificates));
	fprintf(out, "  %-24s %10llu %6.1f%%  private PKI or self-signed\n", "not affected",
		(unsigned long long)t->verdict[EKU_SUNSET_NOT_AFFECTED],
		pct(t->verdict[EKU_SUNSET_NOT_AFFECTED], t->certificates));
	fprintf(out, "  %-24s %10llu %6.1f%%  chain incomplete\n", "issuer unknown",
		(unsigned long long)t->verdict[EKU_SUNSET_UNKNOWN],
		pct(t->verdict[EKU_SUNSET_UNKNOWN], t->certificates));
	fprintf(out, "  %-24s %10llu %6.1f%%\n", "expired", (unsigned long long)t->expired,
		pct(t->expired, t->certificates));
	fprintf(out, "  %-24s %10llu  (not counted above)\n", "CA certificates",
		(unsigned long long)cen->totals.ca_certificates);
}

static int text_rows(const eku_census *cen, FILE *out)
{
	size_t *ix = census_sorted_rows(cen);
	char m[16];

	if (ix == NULL)
		return -1;
	fprintf(out, "\n%-20s %-7s %-13s %8s %10s %8s %7s\n", "issuer", "issued", "EKU class", "certs",
		"clientAuth", "at_risk", "broken");
	for (size_t i = 0; i < cen->n_rows; i++) {
		const struct census_row *r = &cen->rows[ix[i]];

		fprintf(out, "%-20.20s %-7s %-13s %8llu %10llu %8llu %7llu\n", r->group,
			census_month_str(r->month, m, sizeof(m)), eku_eku_class_name(r->eku_class),
			(unsigned long long)r->n.certificates, (unsigned long long)r->n.clientauth,
			(unsigned long long)r->n.verdict[EKU_SUNSET_AT_RISK],
			(unsigned long long)r->n.verdict[EKU_SUNSET_BROKEN]);
	}
	free(ix);
	return 0;
}

static int text_hist(const struct census_hist *h, const char *title, FILE *out)
{
	size_t *ix = census_sorted_hist(h);
	char m[16];

	if (ix == NULL)
		return -1;
	fprintf(out, "\n%s\n", title);
	if (h->n == 0)
		fprintf(out, "  (none)\n");
	for (size_t i = 0; i < h->n; i++)
		fprintf(out, "  %-7s %10llu\n", census_month_str(h->month[ix[i]], m, sizeof(m)),
			(unsigned long long)h->count[ix[i]]);
	free(ix);
	return 0;
}

int eku_census_write_text(const eku_census *cen, FILE *out)
{
	text_totals(cen, out);
	if (text_rows(cen, out) != 0 ||
	    text_hist(&cen->expiries, "expiries per month (not_after)", out) != 0 ||
	    text_hist(&cen->losses, "clientAuth lost at renewal per month (breaks_on)", out) != 0)
		return -1;
	return ferror(out) ? -1 : 0;
}

/* --- CSV ------------------------------------------------------------------ */

#define CSV_HEADER "record,issuer_kind,issuer,month,eku_class,certificates,clientauth,expired," \
	"not_affected,ok,at_risk,broken,unknown\n"

static void csv_counts(const struct eku_census_counts *n, FILE *out)
{
	fprintf(out, "%llu,%llu,%llu", (unsigned long long)n->certificates,
		(unsigned long long)n->clientauth, (unsigned long long)n->expired);
	for (int v = 0; v < EKU_CENSUS_VERDICTS; v++)
		fprintf(out, ",%llu", (unsigned long long)n->verdict[v]);
	fputc('\n', out);
}

static int csv_hist(const struct census_hist *h, const char *record, FILE *out)
{
	size_t *ix = census_sorted_hist(h);
	char m[16];

	if (ix == NULL)
		return -1;
	for (size_t i = 0; i < h->n; i++)
		fprintf(out, "%s,,,%s,,%llu,,,,,,,\n", record, census_month_str(h->month[ix[i]], m, sizeof(m)),
			(unsigned long long)h->count[ix[i]]);
	free(ix);
	return 0;
}

int eku_census_write_csv(const eku_census *cen, FILE *out)
{
	size_t *ix = census_sorted_rows(cen);
	char m[16];

	if (ix == NULL)
		return -1;
	fputs(CSV_HEADER, out);
	fputs("total,,,,,", out);
	csv_counts(&cen->totals.all, out);
	fprintf(out, "ca_certificates,,,,,%llu,,,,,,,\n", (unsigned long long)cen->totals.ca_certificates);
	for (size_t i = 0; i < cen->n_rows; i++) {
		const struct census_row *r = &cen->rows[ix[i]];

		fprintf(out, "row,%s,", r->vendor ? "vendor" : "issuer_class");
		eku_csv_field(out, r->group);
		fprintf(out, ",%s,%s,", census_month_str(r->month, m, sizeof(m)), eku_eku_class_name(r->eku_class));
		csv_counts(&r->n, out);
	}
	free(ix);
	if (csv_hist(&cen->expiries, "expiry", out) != 0 || csv_hist(&cen->losses, "clientauth_loss", out) != 0)
		return -1;
	return ferror(out) ? -1 : 0;
}
