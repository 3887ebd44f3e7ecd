/* The report's timeline (docs/report.md, "The chart"): an inline SVG with a
 * time axis from the plan date to the last relevant date, a "today" marker
 * (the plan date), one row per dated rule, one row per certificate (its
 * valid span and projected renewals, the renewal that drops clientAuth
 * marked) and one row of link break dates. Every mark has a shape or a text
 * besides its colour, and every text is SVG text (selectable, searchable).
 * Geometry is in viewBox units (1000 wide); the page scales it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <eku/util.h>

#include "report_int.h"

#define DAY 86400
#define VB_W 1000
#define X0 190.0
#define X1 975.0
#define AXIS_H 34
#define RULE_H 20
#define CERT_H 34
#define BREAK_H 20
#define MAX_YEARS 3

struct axis {
	int64_t t0, t1;
};

static double xpos(const struct axis *a, int64_t t)
{
	if (t < a->t0)
		t = a->t0;
	if (t > a->t1)
		t = a->t1;
	return X0 + (X1 - X0) * (double)(t - a->t0) / (double)(a->t1 - a->t0);
}

static void later(int64_t *t1, int64_t t, const struct axis *a)
{
	if (t > *t1 && t <= a->t0 + (int64_t)MAX_YEARS * 366 * DAY)
		*t1 = t;
}

/* The first renewal that comes without clientAuth while the certificate
 * before it had it: the day this certificate stops working as a client. */
static const json_t *drop_of(const json_t *c)
{
	const char *eku = rep_str(c, "eku");
	bool had = strstr(eku, "client") != NULL || strcmp(eku, "both") == 0 || strcmp(eku, "any") == 0 ||
		strcmp(eku, "none") == 0;
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(c, "renewals"), i, r) {
		bool ca = json_is_true(json_object_get(r, "clientauth"));
		if (had && !ca)
			return r;
		had = ca;
	}
	return NULL;
}

/* Today to the last date that matters, at least a year, at most MAX_YEARS. */
static struct axis axis_of(const json_t *doc)
{
	const json_t *chart = json_object_get(doc, "chart"), *v;
	struct axis a = { rep_day(doc, "at"), 0 };
	size_t i;

	a.t1 = a.t0 + 365 * DAY;
	json_array_foreach(json_object_get(doc, "findings"), i, v)
		later(&a.t1, rep_day(v, "breaks_on"), &a);
	json_array_foreach(json_object_get(doc, "actions"), i, v)
		later(&a.t1, rep_day(v, "by"), &a);
	json_array_foreach(json_object_get(chart, "rules"), i, v)
		later(&a.t1, rep_day(v, "date"), &a);
	json_array_foreach(json_object_get(chart, "certificates"), i, v) {
		later(&a.t1, rep_day(v, "not_after"), &a);
		if (drop_of(v) != NULL)
			later(&a.t1, rep_day(drop_of(v), "on"), &a);
	}
	a.t1 += 45 * DAY;
	return a;
}

static void ticks(FILE *f, const struct axis *a, double height)
{
	char d[16];
	int64_t span = a->t1 - a->t0;
	int step = span > 2 * 366 * DAY ? 6 : 3, y, m;

	eku_time_date(a->t0, d, sizeof(d));
	if (sscanf(d, "%d-%d", &y, &m) != 2)
		return;
	m = ((m - 1) / step + 1) * step + 1; /* the next quarter (half-year) start */
	for (;; m += step) {
		int64_t t;
		char iso[32];
		if (m > 12) {
			y += (m - 1) / 12;
			m = (m - 1) % 12 + 1;
		}
		snprintf(iso, sizeof(iso), "%04d-%02d-01", y, m);
		if (eku_time_parse(iso, &t) != 0 || t >= a->t1)
			break;
		fprintf(f, "<g class=\"tick\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text x=\"%.1f\" y=\"16\" text-anchor=\"middle\">%04d-%02d</text></g>\n", xpos(a, t), AXIS_H - 10,
			xpos(a, t), height, xpos(a, t), y, m);
	}
}

static void today(FILE *f, const struct axis *a, double height)
{
	char d[16];

	fprintf(f, "<g class=\"today\" id=\"today-marker\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>"
		"<text x=\"%.1f\" y=\"%d\">&#9660; today %s</text></g>\n", X0, AXIS_H - 8, X0, height, X0 + 4,
		AXIS_H - 2, eku_time_date(a->t0, d, sizeof(d)));
}

/* A row label, cut to fit the label column; the whole text in a tooltip. */
static void label(FILE *f, double y, const char *text, const char *tip)
{
	size_t n = 0, cut = 0;

	for (const char *p = text; *p; p++)
		if (((unsigned char)*p & 0xC0) != 0x80 && ++n == 23)
			cut = (size_t)(p - text);
	/* The tooltip is the group's, so the label's own text stays the label. */
	fputs("<g class=\"lbl\"><title>", f);
	html_put(f, tip);
	fprintf(f, "</title><text class=\"label\" x=\"6\" y=\"%.1f\">", y);
	if (cut == 0) {
		html_put(f, text);
	} else {
		char buf[128];
		snprintf(buf, sizeof(buf), "%.*s", (int)(cut < 100 ? cut : 100), text);
		html_put(f, buf);
		fputs("&#8230;", f);
	}
	fputs("</text></g>\n", f);
}

static double rule_rows(FILE *f, const json_t *rules, const struct axis *a, double y, double height)
{
	const json_t *r;
	size_t i;
	char d[16];

	json_array_foreach(rules, i, r) {
		int64_t t = rep_day(r, "date");
		double x = xpos(a, t);
		bool right = x > (X0 + X1) / 2;
		if (t < a->t0 || t > a->t1)
			continue;
		fprintf(f, "<g class=\"rule\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<path d=\"M%.1f %.1f l5 5 l-5 5 l-5 -5 z\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s ",
			x, y + 2, x, height, x, y + 4, right ? x - 8 : x + 8, y + 13, right ? "end" : "start",
			eku_time_date(t, d, sizeof(d)));
		html_put(f, rep_str(r, "id"));
		fputs("</text></g>\n", f);
		y += RULE_H;
	}
	return y;
}

static void span(FILE *f, const struct axis *a, const char *cls, int64_t from, int64_t to, double y,
	const char *tip)
{
	char d1[16], d2[16];

	double w = xpos(a, to) - xpos(a, from);

	if (to <= a->t0 || from >= a->t1 || to <= from)
		return;
	/* A gap between consecutive certificates of a lane. */
	w = w > 4 ? w - 1.5 : w < 1 ? 1 : w;
	fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" rx=\"2\"><title>", cls,
		xpos(a, from), y, w);
	html_put(f, tip);
	fprintf(f, ", in service %s to %s</title></rect>\n", eku_time_date(from, d1, sizeof(d1)),
		eku_time_date(to, d2, sizeof(d2)));
}

static void cert_row(FILE *f, const json_t *c, const struct axis *a, double y)
{
	const json_t *r, *rs, *drop = drop_of(c);
	char lbl[192], tip[512], d[16];
	int64_t next;
	size_t i;
	bool ca = strstr(rep_str(c, "eku"), "client") != NULL || strcmp(rep_str(c, "eku"), "both") == 0;

	snprintf(lbl, sizeof(lbl), "%s %s", rep_str(c, "node"), rep_str(c, "role"));
	snprintf(tip, sizeof(tip), "%s %s certificate %s (%s, %s%s%s)", rep_str(c, "node"), rep_str(c, "role"),
		rep_str(c, "file"), rep_str(c, "eku"), rep_str(c, "issuer_class"), *rep_str(c, "vendor") ? ", " : "",
		rep_str(c, "vendor"));
	fputs("<g class=\"cert-row\" data-node=\"", f);
	html_put(f, rep_str(c, "node"));
	fputs("\" data-role=\"", f);
	html_put(f, rep_str(c, "role"));
	fputs("\">\n", f);
	label(f, y + 14, lbl, tip);
	/* Each certificate from its issue (or renewal) to the next renewal: the
	 * one in service, so the spans of a lane never overlap. */
	rs = json_object_get(c, "renewals");
	next = json_array_size(rs) > 0 ? rep_day(json_array_get(rs, 0), "on") : rep_day(c, "not_after");
	snprintf(tip, sizeof(tip), "%s %s certificate in the file, %s, valid until %s", rep_str(c, "node"),
		rep_str(c, "role"), ca ? "with clientAuth" : "serverAuth only", rep_str(c, "not_after"));
	span(f, a, ca ? "cur ca" : "cur noca", rep_day(c, "not_before"), next, y + 3, tip);
	json_array_foreach(rs, i, r) {
		bool rca = json_is_true(json_object_get(r, "clientauth"));
		next = i + 1 < json_array_size(rs) ? rep_day(json_array_get(rs, i + 1), "on") : rep_day(r, "not_after");
		snprintf(tip, sizeof(tip), "renewal %zu of %s %s, %s, valid until %s", i + 1, rep_str(c, "node"),
			rep_str(c, "role"), rca ? "with clientAuth" : "serverAuth only", rep_str(r, "not_after"));
		span(f, a, rca ? "ren ca" : "ren noca", rep_day(r, "on"), next, y + 3, tip);
	}
	/* Private and alternative-root certificates renew with the same EKUs:
	 * not projected, and the row says so. */
	if (json_array_size(rs) == 0 && strcmp(rep_str(c, "issuer_class"), "webpki") != 0) {
		double x = xpos(a, rep_day(c, "not_after")) + 6;

		fprintf(f, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\">", x > X1 - 250 ? X1 - 250 : x, y + 13);
		html_put(f, rep_str(c, "issuer_class"));
		fputs(": renewals keep the same EKUs</text>\n", f);
	}
	if (drop != NULL && rep_day(drop, "on") >= a->t0 && rep_day(drop, "on") <= a->t1) {
		double x = xpos(a, rep_day(drop, "on"));
		bool right = x > (X0 + X1) * 0.6;
		fprintf(f, "<g class=\"drop\"><path d=\"M%.1f %.1f l-6 -9 h12 z\"/><text x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"%s\">&#10005; drops clientAuth %s</text></g>\n", x, y + 26, right ? x - 8 : x + 8,
			y + 30, right ? "end" : "start", eku_time_date(rep_day(drop, "on"), d, sizeof(d)));
	}
	fputs("</g>\n", f);
}

static int cmp_day(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Break days of the findings (links and nodes), sorted, each day once with
 * how many break then: sorted once, counted in runs. Returns the number of
 * days written into days (which holds every finding), counts in counts. */
static size_t break_days(const json_t *doc, const struct axis *a, int64_t *days, size_t *counts, size_t *now)
{
	const json_t *fi;
	size_t i, n = 0, out = 0;

	*now = 0;
	json_array_foreach(json_object_get(doc, "findings"), i, fi) {
		if (strcmp(rep_str(fi, "severity"), "broken") == 0)
			(*now)++;
		else if (rep_day(fi, "breaks_on") > a->t0)
			days[n++] = rep_day(fi, "breaks_on");
	}
	if (n > 1)
		qsort(days, n, sizeof(*days), cmp_day);
	for (i = 0; i < n;) {
		size_t k = i;
		while (k < n && days[k] == days[i])
			k++;
		days[out] = days[i];
		counts[out++] = k - i;
		i = k;
	}
	return out;
}

/* One row per break day (a circle and "N break on DATE"), after a row for
 * what is broken already (a square at today). */
static void break_rows(FILE *f, const struct axis *a, const int64_t *days, const size_t *counts, size_t n,
	size_t now, double y)
{
	char d[16];

	fputs("<g class=\"breaks\">\n", f);
	label(f, y + 14, "findings break", "findings (links and nodes) by the day they break");
	if (now > 0) {
		fprintf(f, "<g class=\"brk now\"><rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\"/><text "
			"x=\"%.1f\" y=\"%.1f\">%zu broken now</text></g>\n", X0 - 5, y + 5, X0 + 10, y + 14, now);
		y += BREAK_H;
	}
	for (size_t i = 0; i < n; i++, y += BREAK_H) {
		double x = xpos(a, days[i]);
		bool right = x > (X0 + X1) / 2;
		fprintf(f, "<g class=\"brk\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\"/><text x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"%s\">%zu finding%s break%s on %s</text></g>\n", x, y + 10, right ? x - 9 : x + 9,
			y + 14, right ? "end" : "start", counts[i], counts[i] == 1 ? "" : "s", counts[i] == 1 ? "s" : "", eku_time_date(days[i], d, sizeof(d)));
	}
	fputs("</g>\n", f);
}

void svg_chart(FILE *f, const json_t *doc)
{
	const json_t *chart = json_object_get(doc, "chart"), *r, *c;
	struct axis a = axis_of(doc);
	size_t nf = json_array_size(json_object_get(doc, "findings")) + 1;
	int64_t *days = calloc(nf, sizeof(*days));
	size_t *counts = calloc(nf, sizeof(*counts));
	size_t i, n_rules = 0, n_days = 0, now = 0, n_certs = json_array_size(json_object_get(chart, "certificates"));
	double y, height;

	if (days != NULL && counts != NULL)
		n_days = break_days(doc, &a, days, counts, &now);
	json_array_foreach(json_object_get(chart, "rules"), i, r)
		n_rules += rep_day(r, "date") >= a.t0 && rep_day(r, "date") <= a.t1;
	height = AXIS_H + RULE_H * (double)n_rules + CERT_H * (double)n_certs +
		BREAK_H * (double)(n_days + (now > 0)) + 8;
	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %d %.0f\" role=\"img\" aria-labelledby=\"chart-title\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"chart-title\">Timeline: dated rules, %zu "
		"certificates with their projected renewals, and the days findings break</title>\n"
		"<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
		"patternTransform=\"rotate(45)\"><rect class=\"hatch-bg\" width=\"6\" height=\"6\"/>"
		"<line class=\"hatch-line\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\"/></pattern></defs>\n",
		VB_W, height, n_certs);
	ticks(f, &a, height);
	y = rule_rows(f, json_object_get(chart, "rules"), &a, AXIS_H, height);
	json_array_foreach(json_object_get(chart, "certificates"), i, c) {
		if (i % 2 == 0)
			fprintf(f, "<rect class=\"band\" x=\"0\" y=\"%.1f\" width=\"%d\" height=\"%d\"/>\n", y, VB_W, CERT_H);
		cert_row(f, c, &a, y);
		y += CERT_H;
	}
	break_rows(f, &a, days, counts, n_days, now, y + 4);
	today(f, &a, height);
	fputs("</svg>\n", f);
	free(days);
	free(counts);
}
