/* Checks a plan document before the writers read it: a plan.json edited by
 * hand or written by another version must fail with the field's path, not
 * with an empty or half-drawn page. The contract is
 * docs/schema/plan.schema.json; this checks what the writers rely on. */
#include <string.h>

#include <eku/html_report.h>
#include <eku/util.h>

#include "report_int.h"

static int bad(eku_error *err, const char *path, const char *what)
{
	eku_error_set(err, EKU_E_BAD_DATA, "%s: %s", path, what);
	return -1;
}

int rep_need(const json_t *o, const char *key, json_type type, bool nullable, const char *where, eku_error *err)
{
	static const char *const names[] = { "an object", "an array", "a string", "an integer", "a number",
		"true or false", "true or false", "null" };
	const json_t *v = json_object_get(o, key);
	char path[256];

	snprintf(path, sizeof(path), "%s%s%s", where, *where ? "." : "", key);
	if (v == NULL)
		return bad(err, path, "missing");
	if (nullable && json_is_null(v))
		return 0;
	if (json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v)))
		return 0;
	eku_error_set(err, EKU_E_BAD_DATA, "%s: expected %s%s", path, names[type], nullable ? " or null" : "");
	return -1;
}

static int need_date(const json_t *o, const char *key, const char *where, eku_error *err)
{
	const char *s = json_string_value(json_object_get(o, key));
	char path[256];

	if (rep_need(o, key, JSON_STRING, true, where, err) != 0)
		return -1;
	if (s != NULL && rep_day(o, key) == 0) {
		snprintf(path, sizeof(path), "%s.%s", where, key);
		eku_error_set(err, EKU_E_BAD_DATA, "%s: \"%.40s\" is not a date (YYYY-MM-DD)", path, s);
		return -1;
	}
	return 0;
}

static int check_finding(const json_t *f, const char *where, eku_error *err)
{
	static const char *const sev[] = { "broken", "at_risk", "unknown", "ok", "not_affected" };
	const char *s;
	size_t k;

	if (!json_is_object(f))
		return bad(err, where, "expected an object");
	if (rep_need(f, "id", JSON_STRING, false, where, err) || rep_need(f, "subject", JSON_STRING, false, where, err) ||
	    rep_need(f, "severity", JSON_STRING, false, where, err) || rep_need(f, "reasons", JSON_ARRAY, false, where, err) ||
	    rep_need(f, "explanation", JSON_STRING, false, where, err) || rep_need(f, "options", JSON_ARRAY, false, where, err) ||
	    need_date(f, "breaks_on", where, err))
		return -1;
	s = rep_str(f, "severity");
	for (k = 0; k < 5 && strcmp(s, sev[k]) != 0; k++)
		;
	if (k == 5) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s.severity: expected one of broken, at_risk, unknown, ok, "
			"not_affected, got \"%.40s\"", where, s);
		return -1;
	}
	return 0;
}

static int check_items(const json_t *doc, const char *key, const char *where, eku_error *err,
	int (*one)(const json_t *, const char *, eku_error *))
{
	const json_t *a = json_object_get(doc, key), *v;
	char path[64];
	size_t i;

	json_array_foreach(a, i, v) {
		snprintf(path, sizeof(path), "%s[%zu]", where, i);
		if (one(v, path, err) != 0)
			return -1;
	}
	return 0;
}

static int check_action(const json_t *a, const char *where, eku_error *err)
{
	if (!json_is_object(a))
		return bad(err, where, "expected an object");
	return rep_need(a, "action", JSON_STRING, false, where, err) ||
		rep_need(a, "finding_ids", JSON_ARRAY, false, where, err) || need_date(a, "by", where, err) ? -1 : 0;
}

static int check_cert(const json_t *c, const char *where, eku_error *err)
{
	if (!json_is_object(c))
		return bad(err, where, "expected an object");
	return rep_need(c, "node", JSON_STRING, false, where, err) || rep_need(c, "role", JSON_STRING, false, where, err) ||
		need_date(c, "not_before", where, err) || need_date(c, "not_after", where, err) ||
		rep_need(c, "renewals", JSON_ARRAY, false, where, err) ? -1 : 0;
}

static int check_rule(const json_t *r, const char *where, eku_error *err)
{
	if (!json_is_object(r))
		return bad(err, where, "expected an object");
	return rep_need(r, "id", JSON_STRING, false, where, err) || need_date(r, "date", where, err) ? -1 : 0;
}

int eku_report_check_plan(const json_t *doc, eku_error *err)
{
	const json_t *chart = json_object_get(doc, "chart");

	if (!json_is_object(doc))
		return bad(err, "(top level)", "expected an object: the output of 'eku plan --format json'");
	if (rep_need(doc, "schema", JSON_STRING, false, "", err) != 0)
		return -1;
	if (strcmp(rep_str(doc, "schema"), "eku/1") != 0) {
		eku_error_set(err, EKU_E_BAD_DATA, "schema: \"%.40s\" is not \"eku/1\" (an eku plan document)",
			rep_str(doc, "schema"));
		return -1;
	}
	if (rep_need(doc, "at", JSON_STRING, false, "", err) || rep_need(doc, "deployment", JSON_STRING, false, "", err) ||
	    rep_need(doc, "findings", JSON_ARRAY, false, "", err) || rep_need(doc, "actions", JSON_ARRAY, false, "", err) ||
	    rep_need(doc, "summary", JSON_OBJECT, false, "", err) || rep_need(doc, "data", JSON_OBJECT, false, "", err))
		return -1;
	if (rep_day(doc, "at") == 0)
		return bad(err, "at", "not a date (YYYY-MM-DDTHH:MM:SSZ)");
	if (check_items(doc, "findings", "findings", err, check_finding) != 0 ||
	    check_items(doc, "actions", "actions", err, check_action) != 0)
		return -1;
	if (chart == NULL)
		return 0;
	if (rep_need(doc, "chart", JSON_OBJECT, false, "", err) || rep_need(chart, "certificates", JSON_ARRAY, false, "chart", err) ||
	    rep_need(chart, "rules", JSON_ARRAY, false, "chart", err))
		return -1;
	return check_items(chart, "certificates", "chart.certificates", err, check_cert) ||
		check_items(chart, "rules", "chart.rules", err, check_rule) ? -1 : 0;
}
