/* The census section of the page (docs/report.md): the numbers of an `eku
 * census --format json` document (read and checked by census_doc.c), as
 * cards, a table by issuer, a table by month with bars, and every row folded
 * away. Every figure is a number of that document or a sum or share of its
 * numbers; the one sentence about the future names the months of its
 * clientauth_losses histogram. */
#include <inttypes.h>
#include <string.h>

#include <eku/cert.h>
#include <eku/html_report.h>

#include "report_int.h"

/* "YYYY-MM", as eku census writes it. */
static void month_put(FILE *f, int32_t month)
{
	char m[16];

	fputs(census_month_str(month, m, sizeof(m)), f);
}

static void share(FILE *f, uint64_t n, uint64_t of)
{
	if (of == 0)
		fputs("&#8211;", f);
	else
		fprintf(f, "%.1f%%", 100.0 * (double)n / (double)of);
}

/* sev: a verdict (its shape and colour from the stylesheet) or NULL. */
static void card(FILE *f, const char *sev, const char *label, uint64_t n, uint64_t of)
{
	fputs("<li>", f);
	if (sev != NULL)
		fprintf(f, "<span class=\"sev sev-%s\">%s</span>", sev, label);
	else
		fputs(label, f);
	fprintf(f, "<b>%" PRIu64 "</b><span class=\"mut\">", n);
	share(f, n, of);
	fputs("</span></li>", f);
}

static void num(FILE *f, const char *h, uint64_t n)
{
	fprintf(f, "<td class=\"n\" data-h=\"%s\">%" PRIu64 "</td>", h, n);
}

static void issuer_cell(FILE *f, const struct rep_census_row *r)
{
	fputs("<td data-h=\"issuer\">", f);
	html_put(f, r->key.group);
	if (!r->key.vendor)
		fputs(" <span class=\"mut\">(issuer class)</span>", f);
	fputs("</td>", f);
}

static void summary(FILE *f, const struct rep_census *c)
{
	const struct eku_census_counts *t = &c->totals;
	uint64_t dated = 0;

	fputs("<section id=\"census\"><h2>Census: the sunset in numbers</h2>\n<p class=\"mut\">Counted by "
		"<code>eku census</code> at ", f);
	html_put(f, c->at);
	fprintf(f, ": <strong>%" PRIu64 "</strong> certificates; %" PRIu64 " CA certificates were read and are "
		"not counted (they are not TLS endpoints).</p>\n", t->certificates, c->ca);
	if (c->n_errors > 0)
		fprintf(f, "<p><span class=\"sev sev-unknown\">incomplete</span> eku census could not read %zu "
			"input%s: these numbers leave %s out (the <code>errors</code> of its JSON name each one).</p>\n",
			c->n_errors, c->n_errors == 1 ? "" : "s", c->n_errors == 1 ? "it" : "them");
	fputs("<ul class=\"cards\">", f);
	card(f, NULL, "still carry clientAuth", t->clientauth, t->certificates);
	card(f, "at_risk", "lose it at a renewal", t->verdict[EKU_SUNSET_AT_RISK], t->certificates);
	card(f, "broken", "cannot act as TLS client", t->verdict[EKU_SUNSET_BROKEN], t->certificates);
	card(f, "unknown", "issuer unknown", t->verdict[EKU_SUNSET_UNKNOWN], t->certificates);
	card(f, "ok", "sunset ok", t->verdict[EKU_SUNSET_OK], t->certificates);
	card(f, "not_affected", "not affected", t->verdict[EKU_SUNSET_NOT_AFFECTED], t->certificates);
	card(f, NULL, "expired", t->expired, t->certificates);
	fputs("</ul>\n<p>", f);
	for (size_t i = 0; i < c->n_losses; i++)
		dated += c->losses[i].certificates;
	if (c->n_losses == 0) {
		fputs("No certificate counted loses clientAuth at a projected renewal.", f);
	} else {
		fputs("The first renewals that drop clientAuth fall in <strong>", f);
		month_put(f, c->losses[0].month);
		fprintf(f, "</strong> (%" PRIu64 " certificate%s)", c->losses[0].certificates,
			c->losses[0].certificates == 1 ? "" : "s");
		if (c->n_losses > 1) {
			fputs(", the last in <strong>", f);
			month_put(f, c->losses[c->n_losses - 1].month);
			fputs("</strong>", f);
		}
		fputs(".", f);
	}
	if (dated < t->verdict[EKU_SUNSET_AT_RISK])
		fprintf(f, " %" PRIu64 " certificates at risk have no renewal month.",
			t->verdict[EKU_SUNSET_AT_RISK] - dated);
	fputs("</p>\n", f);
}

/* Rows come grouped by issuer (census_doc.c checked the order): one line
 * per run. */
static void by_issuer(FILE *f, const struct rep_census *c)
{
	fputs("<h3>By issuer</h3>\n<div class=\"scroll\"><table class=\"stack\">\n<thead><tr><th>issuer</th>"
		"<th class=\"n\">certificates</th><th class=\"n\">still carry clientAuth</th><th class=\"n\">lose it at "
		"a renewal</th><th class=\"n\">cannot act as TLS client</th><th class=\"n\">expired</th></tr></thead>"
		"<tbody>\n", f);
	for (size_t i = 0, j; i < c->n_rows; i = j) {
		struct eku_census_counts n = { 0 };
		for (j = i; j < c->n_rows && c->rows[j].key.vendor == c->rows[i].key.vendor &&
			    strcmp(c->rows[j].key.group, c->rows[i].key.group) == 0;
			j++)
			census_counts_add(&n, &c->rows[j].n);
		fputs("<tr>", f);
		issuer_cell(f, &c->rows[i]);
		num(f, "certificates", n.certificates);
		num(f, "still carry clientAuth", n.clientauth);
		num(f, "lose it at a renewal", n.verdict[EKU_SUNSET_AT_RISK]);
		num(f, "cannot act as TLS client", n.verdict[EKU_SUNSET_BROKEN]);
		num(f, "expired", n.expired);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

/* A number with a bar as long as its share of the column's largest: an
 * SVG (presentation attributes, which the page's CSP allows where a style
 * attribute would be refused). The number carries the value; the bar only
 * helps the eye. */
static void bar_cell(FILE *f, const char *h, const char *cls, uint64_t n, uint64_t max)
{
	fprintf(f, "<td class=\"bar\" data-h=\"%s\"><svg class=\"bar\" viewBox=\"0 0 100 10\" "
		"preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect class=\"%s\" width=\"%.1f\" height=\"10\"/>"
		"</svg> %" PRIu64 "</td>", h, cls, max > 0 ? 100.0 * (double)n / (double)max : 0.0, n);
}

static uint64_t most(const struct rep_census_month *m, size_t n)
{
	uint64_t max = 0;

	for (size_t i = 0; i < n; i++)
		if (m[i].certificates > max)
			max = m[i].certificates;
	return max;
}

/* Both histograms ascend by month: one merge. */
static void by_month(FILE *f, const struct rep_census *c)
{
	uint64_t emax = most(c->expiries, c->n_expiries), lmax = most(c->losses, c->n_losses);
	size_t i = 0, k = 0;

	fputs("<h3>By month</h3>\n<p class=\"mut\">Expiries: certificates per month of <code>not_after</code>. "
		"clientAuth lost: certificates at risk per month of the projected renewal that drops it.</p>\n"
		"<div class=\"scroll\"><table class=\"months\">\n<thead><tr><th>month</th><th>expiries</th>"
		"<th>clientAuth lost at renewal</th></tr></thead><tbody>\n", f);
	while (i < c->n_expiries || k < c->n_losses) {
		int32_t m = i == c->n_expiries					 ? c->losses[k].month
			    : k == c->n_losses || c->expiries[i].month < c->losses[k].month ? c->expiries[i].month
											      : c->losses[k].month;
		uint64_t e = i < c->n_expiries && c->expiries[i].month == m ? c->expiries[i++].certificates : 0;
		uint64_t l = k < c->n_losses && c->losses[k].month == m ? c->losses[k++].certificates : 0;
		fputs("<tr><td class=\"d\" data-h=\"month\">", f);
		month_put(f, m);
		fputs("</td>", f);
		bar_cell(f, "expiries", "exp", e, emax);
		bar_cell(f, "clientAuth lost at renewal", "loss", l, lmax);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

static void every_row(FILE *f, const struct rep_census *c)
{
	fprintf(f, "<details><summary>Every row: issuer &#215; issue month &#215; EKU class (%zu)</summary>\n"
		"<div class=\"scroll\"><table class=\"stack\">\n<thead><tr><th>issuer</th><th>issued</th>"
		"<th>EKU class</th><th class=\"n\">certificates</th><th class=\"n\">clientAuth</th><th class=\"n\">at "
		"risk</th><th class=\"n\">broken</th><th class=\"n\">expired</th></tr></thead><tbody>\n", c->n_rows);
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct rep_census_row *r = &c->rows[i];
		fputs("<tr>", f);
		issuer_cell(f, r);
		fputs("<td class=\"d\" data-h=\"issued\">", f);
		month_put(f, r->key.month);
		fprintf(f, "</td><td data-h=\"EKU class\">%s</td>", eku_eku_class_name(r->key.eku_class));
		num(f, "certificates", r->n.certificates);
		num(f, "clientAuth", r->n.clientauth);
		num(f, "at risk", r->n.verdict[EKU_SUNSET_AT_RISK]);
		num(f, "broken", r->n.verdict[EKU_SUNSET_BROKEN]);
		num(f, "expired", r->n.expired);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></div></details>\n", f);
}

void html_census(FILE *f, const struct rep_census *c)
{
	summary(f, c);
	if (c->n_rows > 0) {
		by_issuer(f, c);
		by_month(f, c);
		every_row(f, c);
	}
	fputs("</section>\n", f);
}
