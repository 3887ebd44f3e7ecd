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

bool plan_rule_applies(const struct prod_rule *r, const struct inv_node *owner, const struct link_kind *kind)
{
	if (!r->all_links && (kind == NULL || (r->links >> kind->index & 1u) == 0))
		return false;
	if (!plan_rule_in_band(r, owner->band))
		return false;
	for (size_t i = 0; i < r->n_when; i++) {
		const char *have = plan_jstr(owner->settings, r->when[i].setting->name);
		bool listed = false;
		for (size_t k = 0; have != NULL && k < r->when[i].n_values; k++)
			listed |= strcmp(r->when[i].values[k], have) == 0;
		if (!listed)
			return false;
	}
	return true;
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
