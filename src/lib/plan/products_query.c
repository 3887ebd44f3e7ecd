/* Questions the planner asks of the loaded product model: which product,
 * link kind or setting an inventory names, which band a version falls in. */
#include <stdlib.h>
#include <string.h>

#include "products.h"

const struct product *plan_product_find(const struct products *pr, const char *id)
{
	for (size_t i = 0; id != NULL && i < pr->n; i++)
		if (strcmp(pr->v[i].id, id) == 0)
			return &pr->v[i];
	return NULL;
}

const struct link_kind *plan_link_kind_find(const struct products *pr, const char *id)
{
	for (size_t i = 0; id != NULL && i < pr->n_kinds; i++)
		if (strcmp(pr->kinds[i].id, id) == 0)
			return &pr->kinds[i];
	return NULL;
}

const char *plan_link_kind_tls_verify(const struct link_kind *k, const char *mode)
{
	for (size_t i = 0; k != NULL && mode != NULL && i < k->n_tv; i++)
		if (strcmp(k->tv_modes[i], mode) == 0)
			return k->tv_values[i];
	return NULL;
}

const struct setting *plan_setting_def(const struct product *prod, const char *name)
{
	for (size_t i = 0; prod != NULL && name != NULL && i < prod->n_settings; i++)
		if (strcmp(prod->settings[i].name, name) == 0)
			return &prod->settings[i];
	return NULL;
}

bool plan_setting_in_band(const struct setting *s, int band)
{
	return s->all_bands || (band >= 0 && band < PM_MAX_BANDS && (s->bands >> band & 1u) != 0);
}

bool plan_rule_in_band(const struct prod_rule *r, int band)
{
	return r->all_bands || (band >= 0 && band < PM_MAX_BANDS && (r->bands >> band & 1u) != 0);
}

int plan_version_parse(const char *s, long v[3])
{
	char *end;

	if (s == NULL || (*s != 'X' && *s != 'x'))
		return -1;
	s++;
	for (int i = 0; i < 3; i++) {
		v[i] = 0;
		if (i > 0 && *s == '\0')
			continue;
		if (*s < '0' || *s > '9')
			return -1;
		v[i] = strtol(s, &end, 10);
		s = end;
		if (*s == '.' && i < 2)
			s++;
		else if (*s != '\0')
			return -1;
	}
	return *s == '\0' ? 0 : -1;
}

int plan_version_vcmp(const long a[3], const long b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

int plan_version_cmp(const char *a, const char *b)
{
	long x[3], y[3];

	if (plan_version_parse(a, x) != 0 || plan_version_parse(b, y) != 0)
		return strcmp(a ? a : "", b ? b : "");
	return plan_version_vcmp(x, y);
}

int plan_product_band(const struct product *prod, const char *version)
{
	long v[3];

	if (plan_version_parse(version, v) != 0)
		return -2;
	for (size_t i = 0; prod->family != NULL && i < prod->family->n_bands; i++) {
		const struct band *b = &prod->family->bands[i];
		if (plan_version_vcmp(v, b->from_v) < 0 || (b->has_to && plan_version_vcmp(v, b->to_v) > 0))
			continue;
		return (int)i;
	}
	return -1;
}

static const struct band *band_at(const struct product *prod, int band)
{
	return band >= 0 && prod->family != NULL && (size_t)band < prod->family->n_bands ?
		&prod->family->bands[band] : NULL;
}

const char *plan_band_label(const struct product *prod, int band)
{
	const struct band *b = band_at(prod, band);

	return b != NULL ? b->label : "";
}

int plan_band_index(const struct product *prod, const char *band_id)
{
	for (size_t i = 0; band_id != NULL && prod->family != NULL && i < prod->family->n_bands; i++)
		if (strcmp(prod->family->bands[i].id, band_id) == 0)
			return (int)i;
	return -1;
}

static bool admits(const struct product *const *v, size_t n, const struct product *p)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		if (v[i] == p)
			return true;
	return n == 0;
}

bool plan_link_kind_fits(const struct link_kind *k, const struct product *cp, const struct product *sp)
{
	return admits(k->clients, k->n_clients, cp) && admits(k->servers, k->n_servers, sp) &&
	       (!k->same_product || cp == sp);
}
