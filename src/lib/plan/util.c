/* Small helpers every planner file shares: dates, JSON strings, vendor
 * names, rule matching and formatted strings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

char *plan_date(int64_t t, char buf[16])
{
	return eku_time_date(t, buf, 16);
}

const char *plan_jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

const char *plan_vendor_label(struct eku_plan *p, const char *id)
{
	const char *n = id ? eku_trust_vendor_name(p->trust, id) : NULL;
	return n ? n : id ? id : "the issuing CA";
}

bool plan_listed(json_t *arr, const char *s, bool absent_means_all)
{
	json_t *x;
	size_t i;

	if (!json_is_array(arr))
		return absent_means_all;
	json_array_foreach(arr, i, x)
		if (s != NULL && (strcmp(json_string_value(x) ?: "", s) == 0 || strcmp(json_string_value(x) ?: "", "*") == 0))
			return true;
	return false;
}

bool plan_rule_applies(json_t *r, const struct inv_node *owner, const char *kind)
{
	json_t *when = json_object_get(r, "when"), *vals;
	const char *key;

	if (!plan_listed(json_object_get(r, "links"), kind, true))
		return false;
	if (json_object_get(r, "bands") != NULL &&
	    (owner->band < 0 || !plan_listed(json_object_get(r, "bands"), plan_band_id(owner->prod, owner->band), false)))
		return false;
	json_object_foreach(when, key, vals)
		if (!plan_listed(vals, plan_jstr(owner->settings, key), false))
			return false;
	return true;
}

bool plan_rule_needs(json_t *r, const char *eku)
{
	return plan_listed(json_object_get(r, "needs"), eku, false);
}

char *plan_fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}


int plan_grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *nv;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	if (nc <= n || nc > SIZE_MAX / sz)
		return -1;
	if ((nv = realloc(*v, nc * sz)) == NULL)
		return -1;
	*v = nv;
	*cap = nc;
	return 0;
}
