/* eku/html_report.h - a plan document (the JSON of eku_plan_json(), or a
 * plan.json file that `eku plan --format json` wrote) as one self-contained
 * HTML page: summary, an inline SVG timeline, findings, actions by date,
 * data versions, and optionally the numbers of `eku census` JSON and the
 * certificates of `eku inspect` / `eku scan` JSON (docs/report.md). Calendar export is in eku/calendar.h.
 *
 * Every string from certificates and inventories is escaped, and Unicode
 * bidirectional controls and other invisible controls are shown as
 * "[U+202E]" text, so a hostile subject cannot inject markup or reorder
 * what the reader sees. The page loads nothing and runs no script.
 * Thread-safe: no state besides the arguments.
 */
#ifndef EKU_HTML_REPORT_H
#define EKU_HTML_REPORT_H

#include <eku/api.h>

#include <stddef.h>

#include <jansson.h>

#include <eku/error.h>

/* Checks that doc is a plan document this writer understands ("schema":
 * "eku/1" and the fields it reads, with their types). Returns 0, or -1 with
 * err set (EKU_E_BAD_DATA) to a message naming the field as a path:
 * "findings[2].severity: expected one of broken, at_risk, unknown, ok,
 * not_affected, got \"bad\"". */
EKU_API int eku_report_check_plan(const json_t *doc, eku_error *err) __attribute__((warn_unused_result));

/* Checks that scan is what --scan takes: the JSON of `eku inspect --format
 * json` (an object with "certificates") or `eku scan --format json` (with
 * "results"), or an array of them. Returns 0, or -1 with err set
 * (EKU_E_BAD_DATA) naming the element ("[2]: ..."). */
EKU_API int eku_report_check_scan(const json_t *scan, eku_error *err) __attribute__((warn_unused_result));

/* Checks that census is the JSON of `eku census --format json` (schema
 * "eku/1", kind "census"; docs/schema/census.schema.json): the fields the
 * page shows with their types, rows and months in eku census's order with
 * no key twice, every count consistent (each certificate has one sunset
 * verdict; the rows and the expiry months add up to the totals). Returns 0,
 * or -1 with err set (EKU_E_BAD_DATA, or EKU_E_NOMEM) naming the field as a
 * path: "rows[3].eku_class: expected one of ...". */
EKU_API int eku_report_check_census(const json_t *census, eku_error *err) __attribute__((warn_unused_result));

/* What a page shows: a plan document (the sections above), a census
 * document (a "Census: the sunset in numbers" section: totals, by issuer,
 * by month, every row), scan JSON (the certificates table). plan or census
 * may be NULL, not both; scan may be NULL. All borrowed. */
struct eku_html_inputs {
	const json_t *plan;
	const json_t *scan;
	const json_t *census;
};

/* The HTML page for in (each document checked first, as above). Returns a
 * NUL-terminated string the caller frees, or NULL with err set
 * (EKU_E_BAD_DATA naming the field, EKU_E_USAGE with neither a plan nor a
 * census, EKU_E_NOMEM). */
EKU_API char *eku_html_report_page(const struct eku_html_inputs *in, eku_error *err);

/* The HTML page for plan document doc (checked first, as above). scan: the
 * JSON of `eku inspect --format json` or `eku scan --format json` (an object
 * or an array of them; checked as above), or NULL. Returns a NUL-terminated string the caller
 * frees, or NULL with err set (EKU_E_BAD_DATA, EKU_E_NOMEM). */
EKU_API char *eku_html_report(const json_t *doc, const json_t *scan, eku_error *err);

/* s escaped for HTML text and attribute values (& < > " '), with bidi and
 * other invisible control characters written as visible "[U+XXXX]". A
 * string the caller frees, or NULL on allocation failure. */
EKU_API char *eku_html_escape(const char *s);

#endif
