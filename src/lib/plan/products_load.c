/* Loading the product files: products/index.json names them; each is parsed
 * with a position map for messages, then the model is built across all of
 * them in dependency order (link kinds and families, products, universal
 * rules) and the references that need everything are checked last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/data.h>

#include "products_read.h"

#define INDEX_NAME "products/index.json"
#define INDEX_SCHEMA "eku-products-index/1"
#define PRODUCTS_SCHEMA "eku-products/1"

static int add_doc(struct ld *c, const char *source, const char *buf, size_t len)
{
	struct doc *nv = realloc(c->docs, (c->n_docs + 1) * sizeof(*nv));
	json_error_t jerr;

	if (nv == NULL)
		return -1;
	c->docs = nv;
	c->d = &nv[c->n_docs];
	memset(c->d, 0, sizeof(*c->d));
	if ((c->d->source = strdup(source)) == NULL)
		return -1;
	c->n_docs++;
	/* Duplicate keys would hide one of two rules or settings: refuse them. */
	c->d->j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (c->d->j == NULL) {
		pd_diag_at(c, jerr.line, jerr.column, "%s", jerr.text);
		return 0;
	}
	if (json_array_append_new(c->pr->docs, c->d->j) != 0) {
		c->d->j = NULL;
		return -1;
	}
	return jsonpos_scan(&c->d->pos, buf, len);
}

static void check_schema(struct ld *c, const char *want)
{
	const char *s = pd_str(c, c->d->j, "", "schema", true);

	if (s != NULL && strcmp(s, want) != 0)
		pd_diag(c, "schema", false, "'%s' is not %s (the version this eku reads)", s, want);
}

static bool check_top(struct ld *c)
{
	static const char *const keys[] = { "schema", "notes", "families", "link_kinds", "universal_rules",
		"products" };
	json_t *j = c->d->j;

	if (j == NULL)
		return false;
	if (!json_is_object(j)) {
		pd_diag(c, "", false, "a product file is a JSON object, not %s", pd_tname(json_typeof(j)));
		return false;
	}
	pd_check_keys(c, j, "", keys, 6);
	check_schema(c, PRODUCTS_SCHEMA);
	c->pr->schema = PRODUCTS_SCHEMA;
	pd_str(c, j, "", "notes", false);
	pd_get(c, j, "", "families", false, JSON_OBJECT);
	pd_get(c, j, "", "link_kinds", false, JSON_OBJECT);
	pd_get(c, j, "", "universal_rules", false, JSON_ARRAY);
	pd_get(c, j, "", "products", true, JSON_ARRAY);
	return true;
}

static json_t *obj_of(struct doc *d, const char *key)
{
	json_t *o = d->j ? json_object_get(d->j, key) : NULL;

	return json_is_object(o) ? o : NULL;
}

static const char *first_source(struct ld *c, size_t upto, const char *key, const char *id)
{
	for (size_t i = 0; i < upto; i++)
		if (json_object_get(obj_of(&c->docs[i], key), id) != NULL)
			return c->docs[i].source;
	return NULL;
}

/* Link kinds and families: named objects, unique across the files. */
static void build_named(struct ld *c, size_t first)
{
	struct products *pr = c->pr;
	const char *id, *dup;
	json_t *o;
	char p[PATHLEN];

	for (size_t i = first; i < c->n_docs; i++) {
		c->d = &c->docs[i];
		json_object_foreach(obj_of(c->d, "link_kinds"), id, o) {
			pd_sub(p, "link_kinds", id);
			if ((dup = first_source(c, i, "link_kinds", id)) != NULL)
				pd_diag_key(c, "link_kinds", id, "link kind '%s' is also defined in %s", id, dup);
			else if (pr->n_kinds >= PM_MAX_LINK_KINDS)
				pd_diag_key(c, "link_kinds", id, "more than %d link kinds", PM_MAX_LINK_KINDS);
			else if (!json_is_object(o))
				pd_diag(c, p, false, "must be an object, not %s", pd_tname(json_typeof(o)));
			else {
				pr->kinds[pr->n_kinds].index = (unsigned)pr->n_kinds;
				pd_parse_link_kind(c, id, o, p, &pr->kinds[pr->n_kinds++]);
			}
		}
		json_object_foreach(obj_of(c->d, "families"), id, o) {
			pd_sub(p, "families", id);
			if ((dup = first_source(c, i, "families", id)) != NULL)
				pd_diag_key(c, "families", id, "family '%s' is also defined in %s", id, dup);
			else if (!json_is_object(o))
				pd_diag(c, p, false, "must be an object, not %s", pd_tname(json_typeof(o)));
			else
				pd_parse_family(c, id, o, p, &pr->families[pr->n_families++]);
		}
	}
}

static void build_products(struct ld *c, size_t first)
{
	struct products *pr = c->pr;
	json_t *o;
	char p[PATHLEN], q[PATHLEN];
	size_t k;

	for (size_t i = first; i < c->n_docs; i++) {
		c->d = &c->docs[i];
		json_array_foreach(c->d->j ? json_object_get(c->d->j, "products") : NULL, k, o) {
			struct product *x = &pr->v[pr->n];
			pd_idx(p, "products", k);
			if (!json_is_object(o)) {
				pd_diag(c, p, false, "must be an object, not %s", pd_tname(json_typeof(o)));
				continue;
			}
			pd_parse_product(c, o, p, x);
			for (size_t m = 0; *x->id && m < pr->n; m++)
				if (strcmp(pr->v[m].id, x->id) == 0)
					pd_diag(c, pd_sub(q, p, "id"), false, "duplicate product id '%s'", x->id);
			pr->n++;
		}
	}
}

static void build_universal(struct ld *c, size_t first)
{
	struct products *pr = c->pr;

	for (size_t i = first; i < c->n_docs; i++) {
		size_t n = 0;
		struct prod_rule *v;
		c->d = &c->docs[i];
		if (c->d->j == NULL)
			continue;
		v = pd_parse_rules(c, NULL, c->d->j, "", "universal_rules", false, RK_UNIVERSAL, &n);
		if (n > 0)
			memcpy(&pr->universal[pr->n_universal], v, n * sizeof(*v));
		pr->n_universal += n;
		free(v); /* the records moved, with what they point to */
	}
}

/* A family's same_version list names products of that family. */
static void check_same_version(struct ld *c, const char *fid, json_t *fo, const char *fpath)
{
	struct products *pr = c->pr;
	const struct family *f = NULL;
	const char *ids[64];
	size_t n = 0, nids = 0;
	const char **v = pd_strs(c, fo, fpath, "same_version", false, &n);
	char p[PATHLEN], q[PATHLEN];
	int k;

	for (size_t i = 0; i < pr->n_families; i++)
		if (strcmp(pr->families[i].id, fid) == 0)
			f = &pr->families[i];
	for (; nids < pr->n && nids < 64; nids++)
		ids[nids] = pr->v[nids].id;
	for (size_t i = 0; f != NULL && v != NULL && i < n; i++) {
		pd_idx(q, pd_sub(p, fpath, "same_version"), i);
		if ((k = pd_one_of(c, q, v[i], ids, nids, "product")) < 0)
			continue;
		if (pr->v[k].family != f)
			pd_diag(c, q, false, "product '%s' is not in family '%s'", v[i], fid);
		else
			pr->v[k].same_version = true;
	}
	free(v);
}

/* A cluster link kind maps a setting some product has, by its values. */
static void check_tls_setting(struct ld *c, const struct link_kind *k, const char *kpath)
{
	const struct products *pr = c->pr;
	char p[PATHLEN];
	bool named = false;

	for (size_t m = 0; m < k->n_tv; m++) {
		bool found = false;
		for (size_t i = 0; i < pr->n; i++) {
			const struct setting *s = plan_setting_def(&pr->v[i], k->tls_verify_setting);
			named |= s != NULL;
			for (size_t v = 0; s != NULL && v < s->n_values; v++)
				found |= strcmp(s->values[v], k->tv_modes[m]) == 0;
		}
		if (named && !found)
			pd_diag_key(c, pd_sub(p, kpath, "tls_verify_map"), k->tv_modes[m],
				"'%s' is not a value of setting '%s'", k->tv_modes[m], k->tls_verify_setting);
	}
	if (k->tls_verify_setting != NULL && !named)
		pd_diag(c, pd_sub(p, kpath, "tls_verify_setting"), false, "no product has a setting '%s'",
			k->tls_verify_setting);
}

/* client_products / server_products name products; resolve them. */
static const struct product **kind_ends(struct ld *c, const char *kpath, const char *key, const char **names,
	size_t n)
{
	const struct products *pr = c->pr;
	const struct product **v = calloc(n + 1, sizeof(*v));
	const char *ids[64];
	char p[PATHLEN], q[PATHLEN];
	size_t nids = 0;
	int k;

	if (v == NULL) {
		c->nomem = 1;
		return NULL;
	}
	for (; nids < pr->n && nids < 64; nids++)
		ids[nids] = pr->v[nids].id;
	for (size_t i = 0; i < n; i++)
		if ((k = pd_one_of(c, pd_idx(q, pd_sub(p, kpath, key), i), names[i], ids, nids, "product")) >= 0)
			v[i] = &pr->v[k];
	return v;
}

/* Does every end of k belong to one family whose products must run the same
 * version? */
static bool ties_versions(const struct link_kind *k)
{
	const struct family *f = NULL;

	if (k->n_clients == 0 || k->n_servers == 0 || k->clients == NULL || k->servers == NULL)
		return false;
	for (size_t i = 0; i < k->n_clients + k->n_servers; i++) {
		const struct product *pp = i < k->n_clients ? k->clients[i] : k->servers[i - k->n_clients];
		if (pp == NULL || pp->family == NULL || !pp->same_version || (f != NULL && pp->family != f))
			return false;
		f = pp->family;
	}
	return true;
}

static void check_references(struct ld *c, size_t first)
{
	const char *id;
	json_t *o;
	char p[PATHLEN];

	for (size_t i = first; i < c->n_docs; i++) {
		c->d = &c->docs[i];
		json_object_foreach(obj_of(c->d, "families"), id, o)
			if (json_is_object(o) && first_source(c, i, "families", id) == NULL)
				check_same_version(c, id, o, pd_sub(p, "families", id));
		json_object_foreach(obj_of(c->d, "link_kinds"), id, o) {
			const struct link_kind *k = plan_link_kind_find(c->pr, id);
			if (k != NULL && json_is_object(o) && first_source(c, i, "link_kinds", id) == NULL) {
				struct link_kind *mk = (struct link_kind *)k;
				check_tls_setting(c, k, pd_sub(p, "link_kinds", id));
				mk->clients = kind_ends(c, p, "client_products", mk->client_names, mk->n_clients);
				mk->servers = kind_ends(c, p, "server_products", mk->server_names, mk->n_servers);
			}
		}
	}
	/* After every file: same_version comes from the families. */
	for (size_t k = 0; k < c->pr->n_kinds; k++)
		c->pr->kinds[k].ties_versions = ties_versions(&c->pr->kinds[k]);
}

static int build(struct ld *c, size_t first)
{
	struct products *pr = c->pr;
	size_t nf = 0, nk = 0, nu = 0, np = 0;

	for (size_t i = first; i < c->n_docs; i++) {
		c->d = &c->docs[i];
		if (!check_top(c))
			continue;
		nf += json_object_size(obj_of(c->d, "families"));
		nk += json_object_size(obj_of(c->d, "link_kinds"));
		nu += json_array_size(json_object_get(c->d->j, "universal_rules"));
		np += json_array_size(json_object_get(c->d->j, "products"));
	}
	pr->families = calloc(nf + 1, sizeof(*pr->families));
	pr->kinds = calloc(nk + 1, sizeof(*pr->kinds));
	pr->universal = calloc(nu + 1, sizeof(*pr->universal));
	pr->v = calloc(np + 1, sizeof(*pr->v));
	if (pr->families == NULL || pr->kinds == NULL || pr->universal == NULL || pr->v == NULL)
		return -1;
	build_named(c, first);
	build_products(c, first);
	build_universal(c, first);
	check_references(c, first);
	return c->nomem ? -1 : 0;
}

static void check_index(struct ld *c, const char *dir)
{
	static const char *const keys[] = { "schema", "files" };
	json_t *files, *f;
	char p[PATHLEN];
	size_t i;

	if (c->d->j == NULL)
		return;
	if (!json_is_object(c->d->j)) {
		pd_diag(c, "", false, "the index is a JSON object, not %s", pd_tname(json_typeof(c->d->j)));
		return;
	}
	pd_check_keys(c, c->d->j, "", keys, 2);
	check_schema(c, INDEX_SCHEMA);
	files = pd_get(c, c->d->j, "", "files", true, JSON_ARRAY);
	json_array_foreach(files, i, f) {
		eku_error ferr = { 0 };
		char *origin = NULL;
		size_t len = 0;
		uint8_t *buf;
		c->d = &c->docs[0];
		pd_idx(p, "files", i);
		if (!json_is_string(f)) {
			pd_diag(c, p, false, "must be a file name, not %s", pd_tname(json_typeof(f)));
			continue;
		}
		buf = eku_data_read(dir, json_string_value(f), &len, &origin, &ferr);
		if (buf == NULL)
			pd_diag(c, p, false, "%s: %s", json_string_value(f), ferr.message);
		else if (add_doc(c, origin ? origin : json_string_value(f), (const char *)buf, len) != 0)
			c->nomem = 1;
		free(origin);
		free(buf);
	}
}

static void free_docs(struct ld *c)
{
	for (size_t i = 0; i < c->n_docs; i++) {
		free(c->docs[i].source);
		jsonpos_clear(&c->docs[i].pos);
	}
	free(c->docs);
}

static int finish(struct ld *c, int built, eku_error *err)
{
	if (built != 0 || c->nomem) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	if (eku_diaglist_errors(&c->pr->diags) > 0) {
		eku_error_set(err, EKU_E_BAD_DATA, "%zu problem%s in the product files",
			eku_diaglist_errors(&c->pr->diags), eku_diaglist_errors(&c->pr->diags) == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

int plan_products_load(struct products *pr, const char *dir, eku_error *err)
{
	struct ld c = { pr, NULL, 0, NULL, false, 0 };
	char *origin = NULL;
	size_t len = 0;
	uint8_t *buf = NULL;
	int rc = -1;

	plan_products_clear(pr);
	if ((pr->docs = json_array()) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	if ((buf = eku_data_read(dir, INDEX_NAME, &len, &origin, err)) == NULL)
		goto out;
	if (add_doc(&c, origin ? origin : INDEX_NAME, (const char *)buf, len) != 0) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	check_index(&c, dir);
	rc = finish(&c, c.nomem ? -1 : build(&c, 1), err);
out:
	free_docs(&c);
	free(origin);
	free(buf);
	return rc;
}

int plan_products_load_mem(struct products *pr, size_t n, const char *const *names, const char *const *bufs,
	eku_error *err)
{
	struct ld c = { pr, NULL, 0, NULL, false, 0 };
	int rc = -1;

	plan_products_clear(pr);
	if ((pr->docs = json_array()) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (add_doc(&c, names[i], bufs[i], strlen(bufs[i])) != 0)
			c.nomem = 1;
	rc = finish(&c, c.nomem ? -1 : build(&c, 0), err);
out:
	free_docs(&c);
	return rc;
}

void plan_products_clear(struct products *pr)
{
	for (size_t i = 0; i < pr->n_families; i++)
		free(pr->families[i].bands);
	free(pr->families);
	for (size_t i = 0; i < pr->n; i++) {
		struct product *p = &pr->v[i];
		for (size_t k = 0; k < p->n_settings; k++) {
			free(p->settings[k].values);
			free(p->settings[k].reqs);
		}
		free(p->settings);
		pd_free_rules(p->upload, p->n_upload);
		pd_free_rules(p->client_store, p->client_store != NULL ? 1 : 0);
		pd_free_rules(p->rules, p->n_rules);
	}
	free(pr->v);
	pd_free_rules(pr->universal, pr->n_universal);
	for (size_t i = 0; i < pr->n_kinds; i++) {
		free(pr->kinds[i].tv_modes);
		free(pr->kinds[i].tv_values);
		free(pr->kinds[i].client_names);
		free(pr->kinds[i].server_names);
		free(pr->kinds[i].clients);
		free(pr->kinds[i].servers);
	}
	free(pr->kinds);
	eku_diaglist_clear(&pr->diags);
	json_decref(pr->docs);
	memset(pr, 0, sizeof(*pr));
}
