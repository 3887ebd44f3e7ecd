/* Product profiles (data/products/ files): version bands and the rules that
 * say which certificate purposes a product checks on which link. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/data.h>

#include "plan_int.h"

static json_t *read_json(struct eku_plan *p, const char *name)
{
	size_t len = 0;
	json_error_t jerr;
	uint8_t *buf = eku_data_read(p->data_dir, name, &len, NULL, &p->err);
	json_t *j;

	if (buf == NULL)
		return NULL;
	j = json_loadb((const char *)buf, len, 0, &jerr);
	free(buf);
	if (j == NULL)
		eku_error_set(&p->err, EKU_E_BAD_DATA, "%s:%d:%d: %s", name, jerr.line, jerr.column,
			jerr.text);
	return j;
}

static int add_products(struct eku_plan *p, const char *name, json_t *doc)
{
	struct products *pr = &p->prods;
	json_t *list = json_object_get(doc, "products"), *o, *lk;
	const char *k;
	size_t i;

	if (!json_is_array(list)) {
		eku_error_set(&p->err, EKU_E_BAD_DATA, "%s: no \"products\" array", name);
		return -1;
	}
	json_object_foreach(json_object_get(doc, "link_kinds"), k, lk)
		json_object_set(pr->link_kinds, k, lk);
	if (json_is_array(json_object_get(doc, "universal_rules")))
		json_array_extend(pr->universal_rules, json_object_get(doc, "universal_rules"));
	json_array_foreach(list, i, o) {
		struct product *nv = realloc(pr->v, (pr->n + 1) * sizeof(*nv));
		const char *fam = json_string_value(json_object_get(o, "family"));
		if (nv == NULL) {
			eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
			return -1;
		}
		pr->v = nv;
		nv[pr->n].id = json_string_value(json_object_get(o, "id"));
		nv[pr->n].j = o;
		nv[pr->n].family = fam ? json_object_get(json_object_get(doc, "families"), fam) : NULL;
		nv[pr->n].bands = json_object_get(nv[pr->n].family, "bands");
		if (nv[pr->n].id == NULL || (fam != NULL && !json_is_array(nv[pr->n].bands))) {
			eku_error_set(&p->err, EKU_E_BAD_DATA, "%s: product #%zu needs an id (and its family's bands)",
				name, i + 1);
			return -1;
		}
		pr->n++;
	}
	return 0;
}

int plan_products_load(struct eku_plan *p)
{
	json_t *index = read_json(p, "products/index.json"), *f;
	size_t i;
	int rc = -1;

	plan_products_clear(&p->prods);
	p->prods.docs = json_array();
	p->prods.link_kinds = json_object();
	p->prods.universal_rules = json_array();
	if (index == NULL || p->prods.docs == NULL || p->prods.link_kinds == NULL ||
	    p->prods.universal_rules == NULL)
		goto out;
	json_array_foreach(json_object_get(index, "files"), i, f) {
		const char *name = json_string_value(f) ?: "";
		json_t *doc = read_json(p, name);
		if (doc == NULL || json_array_append_new(p->prods.docs, doc) != 0 ||
		    add_products(p, name, doc) != 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(index);
	return rc;
}

void plan_products_clear(struct products *pr)
{
	free(pr->v);
	json_decref(pr->docs);
	json_decref(pr->link_kinds);
	json_decref(pr->universal_rules);
	memset(pr, 0, sizeof(*pr));
}

const struct product *plan_product_find(const struct products *pr, const char *id)
{
	for (size_t i = 0; id != NULL && i < pr->n; i++)
		if (strcmp(pr->v[i].id, id) == 0)
			return &pr->v[i];
	return NULL;
}

/* "X15.3.2" -> 15, 3, 2; "X15.4" -> 15, 4, 0. Case of the X ignored. */
static int parse_version(const char *s, long v[3])
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

static int vcmp(const long a[3], const long b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

int plan_version_cmp(const char *a, const char *b)
{
	long x[3], y[3];

	if (parse_version(a, x) != 0 || parse_version(b, y) != 0)
		return strcmp(a ? a : "", b ? b : "");
	return vcmp(x, y);
}

int plan_product_band(const struct product *prod, const char *version)
{
	long v[3], lo[3], hi[3];
	json_t *b;
	size_t i;

	if (parse_version(version, v) != 0)
		return -2;
	json_array_foreach(prod->bands, i, b) {
		const char *to = json_string_value(json_object_get(b, "to"));
		if (parse_version(json_string_value(json_object_get(b, "from")), lo) != 0)
			continue;
		if (vcmp(v, lo) < 0)
			continue;
		if (to != NULL && (parse_version(to, hi) != 0 || vcmp(v, hi) > 0))
			continue;
		return (int)i;
	}
	return -1;
}

const char *plan_band_id(const struct product *prod, int band)
{
	return band < 0 ? NULL : json_string_value(json_object_get(json_array_get(prod->bands, band), "id"));
}

const char *plan_band_label(const struct product *prod, int band)
{
	return band < 0 ? "" : json_string_value(json_object_get(json_array_get(prod->bands, band), "label")) ?: "";
}

int plan_band_index(const struct product *prod, const char *band_id)
{
	json_t *b;
	size_t i;

	json_array_foreach(prod->bands, i, b)
		if (band_id != NULL && strcmp(json_string_value(json_object_get(b, "id")) ?: "", band_id) == 0)
			return (int)i;
	return -1;
}

json_t *plan_setting_def(const struct product *prod, const char *name)
{
	return json_object_get(json_object_get(prod->j, "settings"), name);
}
