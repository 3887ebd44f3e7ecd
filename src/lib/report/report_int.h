/* Internal to src/lib/report/: the page writer's shared pieces. Every
 * function writes to a memory stream the caller opened; a stream error is
 * noticed once, when the caller closes it. */
#ifndef EKU_REPORT_INT_H
#define EKU_REPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include <eku/census.h>
#include <eku/error.h>

#include "census/census_int.h"

/* Escaped text (escape.c): & < > " ' as entities, invisible controls as
 * "[U+XXXX]". */
void html_put(FILE *f, const char *s);
/* The same, with every http(s) URL made a link to itself. */
void html_put_linked(FILE *f, const char *s);

/* A severity or verdict ("at_risk") as a span of class sev-at_risk reading
 * "at risk": the stylesheet adds its shape (✕ ▲ ? ✓ –). */
void html_sev(FILE *f, const char *sev);

/* A member as a string, "" when missing or not a string. */
const char *rep_str(const json_t *o, const char *key);
/* "YYYY-MM-DD" (or an ISO instant) as a UTC midnight instant, 0 when
 * missing or null. */
int64_t rep_day(const json_t *o, const char *key);

/* Checks that o[key] exists and has this type (or is null when nullable);
 * 0, or -1 with err naming "where.key" (check.c). */
int rep_need(const json_t *o, const char *key, json_type type, bool nullable, const char *where, eku_error *err);

/* The document of `eku census --format json`, typed (census_doc.c). Strings
 * are borrowed from the JSON document, which must outlive it. */
struct rep_census_row {
	/* group: the issuer (vendor id or issuer class name); vendor: its
	 * issuer_kind is "vendor"; month: the issue month, year * 12 + month - 1 */
	struct census_key key;
	struct eku_census_counts n;
};
struct rep_census_month {
	int32_t month;
	uint64_t certificates;
};
struct rep_census {
	const char *at;
	struct eku_census_counts totals;
	uint64_t ca; /* CA certificates, not counted in totals */
	struct rep_census_row *rows;
	size_t n_rows;
	struct rep_census_month *expiries, *losses;
	size_t n_expiries, n_losses;
	size_t n_errors; /* inputs eku census could not read */
};
/* Reads and checks doc (the rules are in census_doc.c). 0, or -1 with err
 * naming the field as a path. Call rep_census_clear after either. */
int rep_census_read(const json_t *doc, struct rep_census *c, eku_error *err);
void rep_census_clear(struct rep_census *c);
/* The census section (census.c). */
void html_census(FILE *f, const struct rep_census *c);

/* The page's stylesheet (style.c). */
extern const char report_css[];

/* The SVG timeline (svg.c) of plan document doc. */
void svg_chart(FILE *f, const json_t *doc);

/* The certificates table (certs.c) from inspect / scan JSON. */
void html_certificates(FILE *f, const json_t *scan);

#endif
