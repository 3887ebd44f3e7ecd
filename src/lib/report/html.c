/* The HTML page of a plan document (docs/report.md): one file, no external
 * assets, no script, a Content-Security-Policy that allows only its own
 * stylesheet (by hash). Sections: summary, timeline, findings, actions by
 * date, data versions (with a plan), census (with census JSON), certificates
 * (with scan JSON). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <eku/html_report.h>

#include "report_int.h"

/* CSP 'sha256-...' of the stylesheet: base64 of its SHA-256. */
static int css_hash(char out[64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(report_css, strlen(report_css), md, &n, EVP_sha256(), NULL) != 1)
		return -1;
	return EVP_EncodeBlock((unsigned char *)out, md, (int)n) > 0 ? 0 : -1;
}

/* title: the deployment's name, or NULL for a page without a plan. */
static void head(FILE *f, const char *title, const char *hash)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta name=\"color-scheme\" content=\"light dark\">\n<meta http-equiv=\"Content-Security-Policy\" "
		"content=\"default-src 'none'; style-src 'sha256-", f);
	fputs(hash, f);
	fputs("'; img-src data:; base-uri 'none'; form-action 'none'\">\n<title>eku report: ", f);
	html_put(f, title != NULL ? title : "census");
	fputs("</title>\n<style>", f);
	fputs(report_css, f);
	fputs("</style>\n</head>\n<body>\n", f);
}

static void card(FILE *f, const char *sev, const char *name, const json_t *tally)
{
	fprintf(f, "<li><span class=\"sev sev-%s\">%s</span><b>%lld</b></li>", sev, name,
		(long long)json_integer_value(json_object_get(tally, sev)));
}

static void summary(FILE *f, const json_t *doc)
{
	static const char *const sev[][2] = { { "broken", "broken" }, { "at_risk", "at risk" },
		{ "unknown", "unknown" }, { "ok", "ok" }, { "not_affected", "not affected" } };
	const json_t *s = json_object_get(doc, "summary"), *first = json_array_get(json_object_get(doc, "actions"), 0);

	fputs("<header><h1>eku report: ", f);
	html_put(f, *rep_str(doc, "deployment") ? rep_str(doc, "deployment") : "deployment");
	fputs("</h1>\n<p class=\"mut\">Judged at ", f);
	html_put(f, rep_str(doc, "at"));
	if (json_is_true(json_object_get(doc, "assume_renewed")))
		fputs(", every certificate assumed renewed on that date", f);
	fputs(". Made by <code>eku report</code> from an <code>eku plan</code> document.</p></header>\n"
		"<section id=\"summary\"><h2>Summary</h2>\n", f);
	for (int k = 0; k < 2; k++) {
		const char *kind = k == 0 ? "links" : "nodes";
		fprintf(f, "<h3>%s</h3><ul class=\"cards\">", k == 0 ? "Links" : "Nodes");
		for (size_t i = 0; i < 5; i++)
			card(f, sev[i][0], sev[i][1], json_object_get(s, kind));
		fputs("</ul>\n", f);
	}
	fputs("<p>First break: <strong>", f);
	html_put(f, *rep_str(s, "first_break") ? rep_str(s, "first_break") : "none dated");
	fputs("</strong>.", f);
	if (first != NULL) {
		fputs(" Next action, by <strong>", f);
		html_put(f, *rep_str(first, "by") ? rep_str(first, "by") : "no date");
		fputs("</strong>: ", f);
		html_put(f, rep_str(first, "action"));
	}
	fputs("</p></section>\n", f);
}

static void timeline(FILE *f, const json_t *doc)
{
	fputs("<section id=\"timeline\"><h2>Timeline</h2>\n", f);
	if (json_object_get(doc, "chart") == NULL) {
		fputs("<p>This plan document has no <code>chart</code> (written by an older eku): run "
			"<code>eku report INVENTORY.yaml</code> for the timeline.</p></section>\n", f);
		return;
	}
	fputs("<ul class=\"legend\"><li><span class=\"sw ca\"></span>certificate with clientAuth (solid)</li>"
		"<li><span class=\"sw noca\"></span>serverAuth only (hatched, outlined)</li>"
		"<li>lighter: projected renewal</li><li>&#10005; &#9660; renewal that drops clientAuth</li>"
		"<li>&#9670; dated rule</li><li>&#9679; findings that break that day</li>"
		"<li>&#9632; broken now</li></ul>\n<div class=\"chart-box\">\n", f);
	svg_chart(f, doc);
	fputs("</div></section>\n", f);
}

static void strings(FILE *f, const json_t *a, const char *sep)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		fputs(i ? sep : "", f);
		fputs("<code>", f);
		html_put(f, json_string_value(v));
		fputs("</code>", f);
	}
}

static void findings_table(FILE *f, const json_t *fs)
{
	const json_t *fi;
	size_t i;

	fputs("<section id=\"findings\"><h2>Findings</h2>\n<div class=\"scroll\"><table class=\"stack\">\n<thead><tr><th>severity</th>"
		"<th>link / node</th><th>breaks on</th><th>reasons</th></tr></thead><tbody>\n", f);
	json_array_foreach(fs, i, fi) {
		fputs("<tr><td>", f);
		html_sev(f, rep_str(fi, "severity"));
		fprintf(f, "</td><td><a href=\"#f%zu\">", i);
		html_put(f, rep_str(fi, "subject"));
		fputs("</a></td><td class=\"d\" data-h=\"breaks on\">", f);
		html_put(f, *rep_str(fi, "breaks_on") ? rep_str(fi, "breaks_on") : "-");
		fputs("</td><td data-h=\"reasons\">", f);
		strings(f, json_object_get(fi, "reasons"), " ");
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

static void option_row(FILE *f, const json_t *o)
{
	static const char *const dates[][2] = { { "available_from", "from" }, { "available_until", "until" },
		{ "renew_by", "renew by" }, { "lasts_until", "lasts until" } };
	bool open = json_is_true(json_object_get(o, "available"));

	fputs("<tr><th>", f);
	html_put(f, rep_str(o, "id"));
	fprintf(f, "</th><td class=\"%s\">%s</td><td>", open ? "opt-open" : "opt-closed", open ? "open" : "closed");
	/* The dates cell, empty on most options, keeps the columns aligned. */
	for (size_t k = 0; k < 4; k++)
		if (*rep_str(o, dates[k][0])) {
			fprintf(f, "%s ", dates[k][1]);
			html_put(f, rep_str(o, dates[k][0]));
			fputs("<br>", f);
		}
	fputs("</td><td>", f);
	html_put_linked(f, rep_str(o, "why"));
	fputs("</td></tr>\n", f);
}

static void finding_detail(FILE *f, const json_t *fi, size_t i)
{
	const json_t *o;
	size_t k;

	fputs("<article class=\"finding ", f);
	html_put(f, rep_str(fi, "severity"));
	fprintf(f, "\" id=\"f%zu\"><h3>", i);
	html_sev(f, rep_str(fi, "severity"));
	fputs(" ", f);
	html_put(f, rep_str(fi, "subject"));
	fputs("</h3>\n<p class=\"mut\"><code>", f);
	html_put(f, rep_str(fi, "id"));
	fputs("</code>", f);
	if (*rep_str(fi, "breaks_on")) {
		fputs(" &#183; breaks on ", f);
		html_put(f, rep_str(fi, "breaks_on"));
	}
	fputs("</p>\n<p class=\"explanation\">", f);
	html_put_linked(f, rep_str(fi, "explanation"));
	fputs("</p>\n", f);
	if (json_array_size(json_object_get(fi, "options")) > 0) {
		fputs("<div class=\"scroll\"><table class=\"options stack\"><thead><tr><th>option</th><th>on the plan date</th>"
			"<th>dates</th><th>why</th></tr></thead><tbody>\n", f);
		json_array_foreach(json_object_get(fi, "options"), k, o)
			option_row(f, o);
		fputs("</tbody></table></div>\n", f);
	}
	fputs("</article>\n", f);
}

static void findings(FILE *f, const json_t *doc)
{
	const json_t *fs = json_object_get(doc, "findings"), *fi;
	size_t i, quiet = 0;

	findings_table(f, fs);
	json_array_foreach(fs, i, fi) {
		const char *s = rep_str(fi, "severity");
		bool calm = strcmp(s, "ok") == 0 || strcmp(s, "not_affected") == 0;
		/* ok / not affected: folded away, still in the page (and in print). */
		if (calm && quiet++ == 0)
			fputs("<details><summary>ok and not affected: why</summary>\n", f);
		finding_detail(f, fi, i);
	}
	if (quiet > 0)
		fputs("</details>\n", f);
	fputs("</section>\n", f);
}

/* Actions arrive ordered by date: one heading per date. */
static void actions(FILE *f, const json_t *doc)
{
	const json_t *a;
	const char *prev = NULL;
	size_t i;

	fputs("<section id=\"actions\"><h2>Actions by date</h2>\n", f);
	if (json_array_size(json_object_get(doc, "actions")) == 0)
		fputs("<p>Nothing to do by a date; keep monitoring.</p>\n", f);
	json_array_foreach(json_object_get(doc, "actions"), i, a) {
		const char *by = *rep_str(a, "by") ? rep_str(a, "by") : "no date";
		if (prev == NULL || strcmp(prev, by) != 0) {
			fputs(prev != NULL ? "</ul>\n<h3>by " : "<h3>by ", f);
			html_put(f, by);
			fputs("</h3>\n<ul class=\"actions\">\n", f);
		}
		prev = by;
		fputs("<li>", f);
		html_put_linked(f, rep_str(a, "action"));
		fputs("<br><span class=\"mut\">", f);
		strings(f, json_object_get(a, "finding_ids"), ", ");
		fputs("</span></li>\n", f);
	}
	fputs(prev != NULL ? "</ul>\n</section>\n" : "</section>\n", f);
}

static void data_versions(FILE *f, const json_t *doc)
{
	const json_t *d = json_object_get(doc, "data"), *r;
	size_t i;

	fputs("<section id=\"data\"><h2>Data versions</h2>\n<div class=\"scroll\"><table><tbody>\n<tr><th>timeline</th>"
		"<td>", f);
	html_put(f, rep_str(json_object_get(d, "timeline"), "schema"));
	fputs(", as of ", f);
	html_put(f, rep_str(json_object_get(d, "timeline"), "as_of"));
	fputs("</td></tr>\n<tr><th>products</th><td>", f);
	html_put(f, rep_str(json_object_get(d, "products"), "schema"));
	fputs("</td></tr>\n<tr><th>data directory</th><td>", f);
	html_put(f, *rep_str(d, "dir") ? rep_str(d, "dir") : "embedded copy");
	fputs("</td></tr>\n</tbody></table></div>\n", f);
	if (json_array_size(json_object_get(json_object_get(doc, "chart"), "rules")) > 0)
		fputs("<h3>Dated rules for the CAs present (those after the plan date are on the chart)</h3>\n<div class=\"scroll\"><table class=\"stack\"><thead><tr><th>date</th><th>rule</th>"
			"<th>what</th></tr></thead><tbody>\n", f);
	json_array_foreach(json_object_get(json_object_get(doc, "chart"), "rules"), i, r) {
		fputs("<tr><td>", f);
		html_put(f, rep_str(r, "date"));
		fputs("</td><td><code>", f);
		html_put(f, rep_str(r, "id"));
		fputs("</code></td><td>", f);
		html_put(f, rep_str(r, "rule"));
		if (*rep_str(r, "source")) {
			fputs(" ", f);
			html_put_linked(f, rep_str(r, "source"));
		}
		fputs("</td></tr>\n", f);
	}
	if (json_array_size(json_object_get(json_object_get(doc, "chart"), "rules")) > 0)
		fputs("</tbody></table></div>\n", f);
	fputs("</section>\n", f);
}

/* The heading of a page without a plan. */
static void census_header(FILE *f)
{
	fputs("<header><h1>eku report: census</h1>\n<p class=\"mut\">Made by <code>eku report</code> from an "
		"<code>eku census</code> document.</p></header>\n", f);
}

char *eku_html_report_page(const struct eku_html_inputs *in, eku_error *err)
{
	const json_t *doc = in->plan;
	struct rep_census cen = { 0 };
	char *out = NULL, hash[64];
	size_t len = 0;
	FILE *f = NULL;

	if (doc == NULL && in->census == NULL) {
		eku_error_set(err, EKU_E_USAGE, "a page needs a plan or a census document");
		return NULL;
	}
	if ((doc != NULL && eku_report_check_plan(doc, err) != 0) ||
	    (in->scan != NULL && eku_report_check_scan(in->scan, err) != 0) ||
	    (in->census != NULL && rep_census_read(in->census, &cen, err) != 0))
		goto out;
	if (css_hash(hash) != 0 || (f = open_memstream(&out, &len)) == NULL)
		goto nomem;
	head(f, doc == NULL ? NULL : *rep_str(doc, "deployment") ? rep_str(doc, "deployment") : "deployment", hash);
	if (doc != NULL) {
		summary(f, doc);
		timeline(f, doc);
		findings(f, doc);
		actions(f, doc);
		data_versions(f, doc);
	} else {
		census_header(f);
	}
	if (in->census != NULL)
		html_census(f, &cen);
	if (in->scan != NULL)
		html_certificates(f, in->scan);
	fputs(doc != NULL ? "<footer><p class=\"mut\">Made by eku; the chart's encoding is described in "
			    "docs/report.md.</p></footer>\n</body>\n</html>\n"
			  : "<footer><p class=\"mut\">Made by eku; what each number counts is described in "
			    "docs/census.md.</p></footer>\n</body>\n</html>\n", f);
	if (fclose(f) != 0) {
		f = NULL;
		goto nomem;
	}
	rep_census_clear(&cen);
	return out;
nomem:
	eku_error_set(err, EKU_E_NOMEM, "out of memory");
out:
	free(out);
	rep_census_clear(&cen);
	return NULL;
}

char *eku_html_report(const json_t *doc, const json_t *scan, eku_error *err)
{
	const struct eku_html_inputs in = { .plan = doc, .scan = scan };

	/* NULL is refused as every non-plan is (eku_html_report_page would take it for "no
	 * plan" and ask for a census). */
	if (eku_report_check_plan(doc, err) != 0)
		return NULL;
	return eku_html_report_page(&in, err);
}
