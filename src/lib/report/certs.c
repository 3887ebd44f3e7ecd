/* The certificates table from `eku inspect --format json` ("certificates")
 * or `eku scan --format json` ("results", each with its presented
 * "chain"): where, subject, EKU class, issuer class and vendor, expiry and
 * the sunset verdict. An array of such documents is read one by one. */
#include <string.h>

#include <eku/html_report.h>

#include "report_int.h"

/* h: the column, shown before the value when a phone stacks the cells. */
static void cell(FILE *f, const char *h, const char *s)
{
	fprintf(f, "<td data-h=\"%s\">", h);
	html_put(f, s);
	fputs("</td>", f);
}

static void cert_tr(FILE *f, const char *where, const json_t *c)
{
	const json_t *sun = json_object_get(c, "sunset");
	const char *verdict = rep_str(sun, "client_use"), *vendor = rep_str(c, "ca_vendor_name");
	char day[11];

	fputs("<tr>", f);
	cell(f, "where", where);
	cell(f, "subject", rep_str(c, "subject"));
	cell(f, "EKU class", rep_str(c, "eku_class"));
	fputs("<td data-h=\"issuer\">", f);
	html_put(f, rep_str(c, "issuer_class"));
	if (*vendor) {
		fputs(" (", f);
		html_put(f, vendor);
		fputs(")", f);
	}
	fputs("</td>", f);
	/* The day is enough here; the instant is in the JSON. */
	snprintf(day, sizeof(day), "%s", rep_str(c, "not_after"));
	cell(f, "expires", day);
	fputs("<td data-h=\"sunset\">", f);
	if (*verdict)
		html_sev(f, verdict);
	if (*rep_str(sun, "breaks_on")) {
		fputs(" from ", f);
		html_put(f, rep_str(sun, "breaks_on"));
	}
	if (*rep_str(sun, "explanation")) {
		fputs(": ", f);
		html_put_linked(f, rep_str(sun, "explanation"));
	}
	fputs("</td></tr>\n", f);
}

static void rows(FILE *f, const json_t *doc)
{
	const json_t *v, *c;
	size_t i, k;

	json_array_foreach(json_object_get(doc, "certificates"), i, c)
		cert_tr(f, rep_str(c, "source"), c);
	json_array_foreach(json_object_get(doc, "results"), i, v)
		json_array_foreach(json_object_get(v, "chain"), k, c)
			cert_tr(f, rep_str(v, "target"), c);
}

static int check_one(const json_t *d, const char *where, eku_error *err)
{
	if (json_is_object(d) && (json_is_array(json_object_get(d, "certificates")) ||
	    json_is_array(json_object_get(d, "results"))))
		return 0;
	eku_error_set(err, EKU_E_BAD_DATA, "%s%sexpected the JSON of 'eku inspect --format json' (\"certificates\") "
		"or 'eku scan --format json' (\"results\")", where, *where ? ": " : "");
	return -1;
}

int eku_report_check_scan(const json_t *scan, eku_error *err)
{
	const json_t *d;
	char where[32];
	size_t i;

	if (!json_is_array(scan))
		return check_one(scan, "", err);
	json_array_foreach(scan, i, d) {
		snprintf(where, sizeof(where), "[%zu]", i);
		if (check_one(d, where, err) != 0)
			return -1;
	}
	return 0;
}

void html_certificates(FILE *f, const json_t *scan)
{
	const json_t *d;
	size_t i;

	fputs("<section id=\"certificates\"><h2>Certificates</h2>\n<div class=\"scroll\"><table class=\"stack\">\n<thead><tr>"
		"<th>where</th><th>subject</th><th>EKU class</th><th>issuer class (vendor)</th><th>expires</th>"
		"<th>sunset verdict (client use)</th></tr></thead><tbody>\n", f);
	if (json_is_array(scan))
		json_array_foreach(scan, i, d)
			rows(f, d);
	else
		rows(f, scan);
	fputs("</tbody></table></div></section>\n", f);
}
