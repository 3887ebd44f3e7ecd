/* The product model, part by part: families and their version bands, link
 * kinds, products with their settings, and rules (link, universal, upload,
 * client store). Each parse_* reads one JSON object into its typed record
 * through the checked reads of products_read.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/util.h>

#include "products_read.h"

/* --- families, link kinds ------------------------------------------------------ */

static void parse_band(struct ld *c, json_t *o, const char *path, struct band *b)
{
	static const char *const keys[] = { "id", "label", "from", "to", "released", "released_note" };
	json_t *to = json_object_get(o, "to");
	const char *rel;
	char p[PATHLEN];

	pd_check_keys(c, o, path, keys, 6);
	b->id = pd_str(c, o, path, "id", true) ?: "";
	b->label = pd_str(c, o, path, "label", true) ?: "";
	b->from = pd_str(c, o, path, "from", true);
	if (b->from != NULL && plan_version_parse(b->from, b->from_v) != 0)
		pd_diag(c, pd_sub(p, path, "from"), false, "'%s' is not a version (X<major>.<minor>[.<patch>])", b->from);
	if (to == NULL)
		pd_diag(c, path, false, "'to' is required (null when the band is open-ended)");
	else if (!json_is_null(to) && (b->to = pd_str(c, o, path, "to", true)) != NULL) {
		b->has_to = true;
		if (plan_version_parse(b->to, b->to_v) != 0)
			pd_diag(c, pd_sub(p, path, "to"), false, "'%s' is not a version (X<major>.<minor>[.<patch>])", b->to);
		else if (b->from != NULL && plan_version_vcmp(b->from_v, b->to_v) > 0)
			pd_diag(c, pd_sub(p, path, "to"), false, "the band ends (%s) before it starts (%s)", b->to, b->from);
	}
	if ((rel = pd_str(c, o, path, "released", false)) != NULL && eku_time_parse(rel, &b->released) != 0)
		pd_diag(c, pd_sub(p, path, "released"), false, "'%s' is not a date (YYYY-MM-DD)", rel);
	b->released_note = pd_str(c, o, path, "released_note", false);
}

void pd_parse_family(struct ld *c, const char *id, json_t *o, const char *path, struct family *f)
{
	static const char *const keys[] = { "name", "version_pattern", "same_version", "same_version_source",
		"bands" };
	json_t *bands, *b;
	char p[PATHLEN], q[PATHLEN], r[PATHLEN];
	size_t i, n = 0;

	f->id = id;
	pd_check_keys(c, o, path, keys, 5);
	f->name = pd_str(c, o, path, "name", true) ?: id;
	f->version_pattern = pd_str(c, o, path, "version_pattern", false);
	free(pd_strs(c, o, path, "same_version", false, &n)); /* resolved once products are known */
	f->same_version_source = pd_str(c, o, path, "same_version_source", n > 0);
	if ((bands = pd_get(c, o, path, "bands", true, JSON_ARRAY)) == NULL)
		return;
	if (json_array_size(bands) == 0 || json_array_size(bands) > PM_MAX_BANDS) {
		pd_diag(c, pd_sub(p, path, "bands"), false, "a family has 1 to %d bands", PM_MAX_BANDS);
		return;
	}
	if ((f->bands = calloc(json_array_size(bands), sizeof(*f->bands))) == NULL) {
		c->nomem = 1;
		return;
	}
	json_array_foreach(bands, i, b) {
		struct band *x = &f->bands[i], *prev = i ? &f->bands[i - 1] : NULL;
		pd_idx(q, pd_sub(p, path, "bands"), i);
		if (!json_is_object(b)) {
			pd_diag(c, q, false, "must be an object, not %s", pd_tname(json_typeof(b)));
			continue;
		}
		parse_band(c, b, q, x);
		f->n_bands++;
		for (size_t k = 0; k < i; k++)
			if (*x->id && strcmp(f->bands[k].id, x->id) == 0)
				pd_diag(c, pd_sub(r, q, "id"), false, "duplicate band id '%s'", x->id);
		/* plan_product_band() takes the first band that matches. */
		if (prev != NULL && x->from != NULL && prev->from != NULL &&
		    (!prev->has_to || plan_version_vcmp(prev->to_v, x->from_v) >= 0))
			pd_diag(c, pd_sub(r, q, "from"), false, "band '%s' starts at %s, inside band '%s': bands go in "
				"version order and do not overlap", x->id, x->from, prev->id);
	}
}

void pd_parse_link_kind(struct ld *c, const char *id, json_t *o, const char *path, struct link_kind *k)
{
	static const char *const keys[] = { "what", "private_pki_ok", "tls_verify_setting", "tls_verify_map",
		"client_products", "server_products", "same_product" };
	static const char *const tvs[] = { "on", "off", "permissive" };
	json_t *map, *v;
	const char *mode;
	char p[PATHLEN], q[PATHLEN];
	int t;

	k->id = id;
	pd_check_keys(c, o, path, keys, sizeof(keys) / sizeof(keys[0]));
	k->what = pd_str(c, o, path, "what", true) ?: "";
	k->private_pki_ok = pd_bool(c, o, path, "private_pki_ok", false, true);
	k->same_product = pd_bool(c, o, path, "same_product", false, false);
	k->client_names = pd_strs(c, o, path, "client_products", false, &k->n_clients);
	k->server_names = pd_strs(c, o, path, "server_products", false, &k->n_servers);
	k->tls_verify_setting = pd_str(c, o, path, "tls_verify_setting", false);
	map = pd_get(c, o, path, "tls_verify_map", k->tls_verify_setting != NULL, JSON_OBJECT);
	if (map != NULL && k->tls_verify_setting == NULL)
		pd_diag_key(c, path, "tls_verify_map", "needs 'tls_verify_setting' (the setting it maps)");
	if (map == NULL)
		return;
	k->tv_modes = calloc(json_object_size(map) + 1, sizeof(*k->tv_modes));
	k->tv_values = calloc(json_object_size(map) + 1, sizeof(*k->tv_values));
	if (k->tv_modes == NULL || k->tv_values == NULL) {
		c->nomem = 1;
		return;
	}
	json_object_foreach(map, mode, v) {
		pd_sub(q, pd_sub(p, path, "tls_verify_map"), mode);
		if (!json_is_string(v))
			pd_diag(c, q, false, "must be on, off or permissive, not %s", pd_tname(json_typeof(v)));
		else if ((t = pd_one_of(c, q, json_string_value(v), tvs, 3, "tls_verify")) >= 0) {
			k->tv_modes[k->n_tv] = mode;
			k->tv_values[k->n_tv++] = tvs[t];
		}
	}
}

/* --- rules --------------------------------------------------------------------- */


/* Which keys each kind of rule takes, and which it must have. */
static const struct { const char *key; unsigned kinds, required; } rule_keys[] = {
	{ "id", RK_RULE | RK_UNIVERSAL | RK_UPLOAD, RK_RULE | RK_UNIVERSAL | RK_UPLOAD },
	{ "links", RK_RULE | RK_UNIVERSAL, RK_RULE | RK_UNIVERSAL },
	{ "side", RK_RULE | RK_UNIVERSAL, RK_RULE | RK_UNIVERSAL },
	{ "checks", RK_RULE | RK_UNIVERSAL, RK_RULE | RK_UNIVERSAL },
	{ "needs", RK_ALL, RK_ALL },
	{ "bands", RK_RULE | RK_UPLOAD | RK_STORE, RK_UPLOAD | RK_STORE },
	{ "when", RK_RULE, 0 },
	{ "unless", RK_UPLOAD, 0 },
	{ "tls_verify", RK_RULE | RK_UNIVERSAL, 0 },
	{ "fixed_in", RK_RULE | RK_UPLOAD, 0 },
	{ "fix", RK_RULE | RK_UPLOAD, 0 },
	{ "fix_setting", RK_RULE | RK_UPLOAD, 0 },
	{ "reason", RK_RULE | RK_UNIVERSAL, 0 },
	{ "explain", RK_ALL, RK_ALL },
	{ "source", RK_ALL, RK_ALL },
};

static const struct setting *setting_of(struct ld *c, const struct product *prod, const char *path,
	const char *name)
{
	const char *names[32];
	size_t n = 0;

	for (; n < prod->n_settings && n < 32; n++)
		names[n] = prod->settings[n].name;
	char h[512];

	for (size_t i = 0; i < prod->n_settings; i++)
		if (strcmp(prod->settings[i].name, name) == 0)
			return &prod->settings[i];
	/* path ends in the setting's name as a key: point at the key. */
	pd_diag(c, path, true, "unknown setting '%s'%s", name, pd_hint(h, sizeof(h), name, names, n));
	return NULL;
}

/* "when" (arrays of values) or "unless" (one value per setting). */
static struct setting_match *matches(struct ld *c, const struct product *prod, json_t *o, const char *path,
	const char *key, size_t *n)
{
	json_t *m = pd_get(c, o, path, key, false, JSON_OBJECT), *v, *item;
	bool single = strcmp(key, "unless") == 0;
	struct setting_match *out;
	const char *name;
	char p[PATHLEN], q[PATHLEN], r[PATHLEN];
	size_t i;

	*n = 0;
	if (m == NULL || (out = calloc(json_object_size(m) + 1, sizeof(*out))) == NULL) {
		c->nomem |= m != NULL;
		return NULL;
	}
	json_object_foreach(m, name, v) {
		struct setting_match *x = &out[*n];
		pd_sub(q, pd_sub(p, path, key), name);
		if ((x->setting = setting_of(c, prod, q, name)) == NULL)
			continue;
		if (single ? !json_is_string(v) : !json_is_array(v)) {
			pd_diag(c, q, false, "must be %s, not %s", single ? "one value (a string)" : "an array of values",
				pd_tname(json_typeof(v)));
			continue;
		}
		if ((x->values = calloc(single ? 1 : json_array_size(v) + 1, sizeof(*x->values))) == NULL) {
			c->nomem = 1;
			continue;
		}
		if (single && pd_one_of(c, q, json_string_value(v), x->setting->values, x->setting->n_values,
			    "value") >= 0)
			x->values[x->n_values++] = json_string_value(v);
		json_array_foreach(single ? NULL : v, i, item) {
			pd_idx(r, q, i);
			if (!json_is_string(item))
				pd_diag(c, r, false, "must be a string, not %s", pd_tname(json_typeof(item)));
			else if (pd_one_of(c, r, json_string_value(item), x->setting->values, x->setting->n_values,
				     "value") >= 0)
				x->values[x->n_values++] = json_string_value(item);
		}
		(*n)++;
	}
	return out;
}

static void rule_links(struct ld *c, json_t *o, const char *path, struct prod_rule *r)
{
	size_t n = 0;
	const char **v = pd_strs(c, o, path, "links", false, &n);
	const char *ids[PM_MAX_LINK_KINDS];
	char p[PATHLEN], q[PATHLEN];
	int k;

	for (size_t i = 0; i < c->pr->n_kinds && i < PM_MAX_LINK_KINDS; i++)
		ids[i] = c->pr->kinds[i].id;
	for (size_t i = 0; v != NULL && i < n; i++) {
		pd_idx(q, pd_sub(p, path, "links"), i);
		if (strcmp(v[i], "*") == 0)
			r->all_links = true;
		else if ((k = pd_one_of(c, q, v[i], ids, c->pr->n_kinds, "link kind")) >= 0)
			r->links |= 1ull << k;
	}
	if (r->all_links && n > 1)
		pd_diag(c, pd_sub(p, path, "links"), false, "'*' (every link kind) stands alone");
	free(v);
}

static void rule_needs(struct ld *c, json_t *o, const char *path, struct prod_rule *r)
{
	static const char *const ekus[] = { "serverAuth", "clientAuth" };
	size_t n = 0;
	const char **v = pd_strs(c, o, path, "needs", false, &n);
	char p[PATHLEN], q[PATHLEN];
	int k;

	for (size_t i = 0; v != NULL && i < n; i++)
		if ((k = pd_one_of(c, pd_idx(q, pd_sub(p, path, "needs"), i), v[i], ekus, 2, "certificate purpose")) >= 0)
			r->needs |= k == 0 ? NEED_SERVER_AUTH : NEED_CLIENT_AUTH;
	free(v);
}

static bool takes(enum rk kind, const char *key)
{
	for (size_t i = 0; i < sizeof(rule_keys) / sizeof(rule_keys[0]); i++)
		if (strcmp(rule_keys[i].key, key) == 0)
			return (rule_keys[i].kinds & kind) != 0;
	return false;
}

static void parse_rule(struct ld *c, const struct product *prod, json_t *o, const char *path, enum rk kind,
	struct prod_rule *r)
{
	static const char *const sides[] = { "server", "client" }, *const tvs[] = { "respect", "ignore" };
	const struct family *f = prod != NULL ? prod->family : NULL;
	const char *keys[16], *s;
	char p[PATHLEN];
	size_t nk = 0;
	int k;

	r->fixed_in = -1;
	r->checks = RULE_CLIENT;
	r->all_bands = true;
	for (size_t i = 0; i < sizeof(rule_keys) / sizeof(rule_keys[0]); i++) {
		if (rule_keys[i].kinds & kind)
			keys[nk++] = rule_keys[i].key;
		if ((rule_keys[i].required & kind) && json_object_get(o, rule_keys[i].key) == NULL)
			pd_diag(c, path, false, "'%s' is required", rule_keys[i].key);
	}
	pd_check_keys(c, o, path, keys, nk);
	/* Keys the kind does not take were reported above; they are not read. */
	r->id = takes(kind, "id") ? pd_str(c, o, path, "id", false) : NULL;
	if (takes(kind, "side") && (s = pd_str(c, o, path, "side", false)) != NULL &&
	    (k = pd_one_of(c, pd_sub(p, path, "side"), s, sides, 2, "side")) >= 0)
		r->side = (enum rule_side)k;
	if (takes(kind, "checks") && (s = pd_str(c, o, path, "checks", false)) != NULL &&
	    (k = pd_one_of(c, pd_sub(p, path, "checks"), s, sides, 2, "side")) >= 0)
		r->checks = (enum rule_side)k;
	rule_needs(c, o, path, r);
	if (takes(kind, "links"))
		rule_links(c, o, path, r);
	if (takes(kind, "bands"))
		r->all_bands = !pd_band_set(c, o, path, f, &r->bands);
	if (takes(kind, "when"))
		r->when = matches(c, prod, o, path, "when", &r->n_when);
	if (takes(kind, "unless"))
		r->unless = matches(c, prod, o, path, "unless", &r->n_unless);
	if (takes(kind, "tls_verify") && (s = pd_str(c, o, path, "tls_verify", false)) != NULL &&
	    (k = pd_one_of(c, pd_sub(p, path, "tls_verify"), s, tvs, 2, "tls_verify")) >= 0)
		r->tls_verify_ignore = k == 1;
	if (takes(kind, "fixed_in"))
		r->fixed_in = pd_band_ref(c, o, path, "fixed_in", f);
	r->fix = takes(kind, "fix") ? pd_str(c, o, path, "fix", false) ?: "" : "";
	r->fix_setting = takes(kind, "fix_setting") ? pd_str(c, o, path, "fix_setting", false) : NULL;
	r->explain = pd_str(c, o, path, "explain", false) ?: "";
	r->source = pd_str(c, o, path, "source", false) ?: "";
	r->reason = takes(kind, "reason") ? pd_str(c, o, path, "reason", false) : NULL;
	if (r->reason != NULL &&
	    (*r->reason == '\0' || strspn(r->reason, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(r->reason)))
		pd_diag(c, pd_sub(p, path, "reason"), false, "'%s' is not a reason code (UPPER_CASE)", r->reason);
}

/* A list of rules; ids unique within it. */
struct prod_rule *pd_parse_rules(struct ld *c, const struct product *prod, json_t *o, const char *path,
	const char *key, bool req, enum rk kind, size_t *n)
{
	json_t *a = pd_get(c, o, path, key, req, JSON_ARRAY), *x;
	struct prod_rule *v;
	char p[PATHLEN], q[PATHLEN], r[PATHLEN];
	size_t i;

	*n = 0;
	if (a == NULL || (v = calloc(json_array_size(a) + 1, sizeof(*v))) == NULL) {
		c->nomem |= a != NULL;
		return NULL;
	}
	json_array_foreach(a, i, x) {
		pd_idx(q, pd_sub(p, path, key), i);
		if (!json_is_object(x)) {
			pd_diag(c, q, false, "must be an object, not %s", pd_tname(json_typeof(x)));
			continue;
		}
		parse_rule(c, prod, x, q, kind, &v[*n]);
		for (size_t k = 0; v[*n].id != NULL && k < *n; k++)
			if (v[k].id != NULL && strcmp(v[k].id, v[*n].id) == 0)
				pd_diag(c, pd_sub(r, q, "id"), false, "duplicate rule id '%s'", v[*n].id);
		(*n)++;
	}
	return v;
}

void pd_free_rules(struct prod_rule *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		for (size_t k = 0; k < v[i].n_when; k++)
			free(v[i].when[k].values);
		for (size_t k = 0; k < v[i].n_unless; k++)
			free(v[i].unless[k].values);
		free(v[i].when);
		free(v[i].unless);
	}
	free(v);
}

/* --- products ------------------------------------------------------------------ */

static void parse_setting(struct ld *c, const struct family *f, const char *name, json_t *o, const char *path,
	struct setting *s)
{
	static const char *const keys[] = { "values", "default", "bands", "what", "requires" };
	char p[PATHLEN], q[PATHLEN];

	s->name = name;
	pd_check_keys(c, o, path, keys, 5);
	s->values = pd_strs(c, o, path, "values", true, &s->n_values);
	if (s->values != NULL && s->n_values == 0)
		pd_diag(c, pd_sub(p, path, "values"), false, "a setting needs at least one value");
	for (size_t i = 0; i < s->n_values; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->values[i], s->values[k]) == 0)
				pd_diag(c, pd_idx(q, pd_sub(p, path, "values"), i), false, "duplicate value '%s'",
					s->values[i]);
	s->dflt = pd_str(c, o, path, "default", true);
	if (s->dflt != NULL && s->values != NULL)
		pd_one_of(c, pd_sub(p, path, "default"), s->dflt, s->values, s->n_values, "value");
	s->dflt = s->dflt ?: "";
	s->what = pd_str(c, o, path, "what", true) ?: "";
	s->all_bands = !pd_band_set(c, o, path, f, &s->bands);
}

/* "requires": {value: {other_setting: value, why: text}}. Read once every
 * setting of the product is known. */
static void parse_requires(struct ld *c, struct product *prod, struct setting *s, json_t *o, const char *path)
{
	json_t *req = pd_get(c, o, path, "requires", false, JSON_OBJECT), *v, *w;
	const char *val, *k;
	char p[PATHLEN], q[PATHLEN], r[PATHLEN];
	size_t n = 0;

	json_object_foreach(req, val, v)
		n += json_is_object(v) ? json_object_size(v) : 0;
	if (req == NULL || (s->reqs = calloc(n + 1, sizeof(*s->reqs))) == NULL) {
		c->nomem |= req != NULL;
		return;
	}
	json_object_foreach(req, val, v) {
		const char *why;
		pd_sub(q, pd_sub(p, path, "requires"), val);
		if (s->values != NULL)
			pd_one_of(c, q, val, s->values, s->n_values, "value");
		if (!json_is_object(v)) {
			pd_diag(c, q, false, "must be an object, not %s", pd_tname(json_typeof(v)));
			continue;
		}
		why = pd_str(c, v, q, "why", true) ?: "";
		json_object_foreach(v, k, w) {
			struct setting_req *x = &s->reqs[s->n_reqs];
			if (strcmp(k, "why") == 0 || (x->other = setting_of(c, prod, pd_sub(r, q, k), k)) == NULL)
				continue;
			if (!json_is_string(w)) {
				pd_diag(c, r, false, "must be a value of %s, not %s", k, pd_tname(json_typeof(w)));
				continue;
			}
			if (x->other->values != NULL &&
			    pd_one_of(c, r, json_string_value(w), x->other->values, x->other->n_values, "value") < 0)
				continue;
			x->value = val;
			x->other_value = json_string_value(w);
			x->why = why;
			s->n_reqs++;
		}
	}
}

static void parse_settings(struct ld *c, struct product *p, json_t *o, const char *path)
{
	json_t *defs = pd_get(c, o, path, "settings", false, JSON_OBJECT), *d;
	const char *name;
	char q[PATHLEN], r[PATHLEN];
	size_t i = 0;

	if (defs == NULL || (p->settings = calloc(json_object_size(defs) + 1, sizeof(*p->settings))) == NULL) {
		c->nomem |= defs != NULL;
		return;
	}
	json_object_foreach(defs, name, d) {
		pd_sub(r, pd_sub(q, path, "settings"), name);
		if (!json_is_object(d))
			pd_diag(c, r, false, "must be an object, not %s", pd_tname(json_typeof(d)));
		else
			parse_setting(c, p->family, name, d, r, &p->settings[p->n_settings++]);
	}
	json_object_foreach(defs, name, d)
		if (json_is_object(d))
			parse_requires(c, p, &p->settings[i++], d, pd_sub(r, pd_sub(q, path, "settings"), name));
}

static const struct family *family_of(struct ld *c, json_t *o, const char *path)
{
	const char *id = pd_str(c, o, path, "family", false), *ids[32];
	char p[PATHLEN];
	size_t n = 0;
	int k;

	if (id == NULL)
		return NULL;
	for (; n < c->pr->n_families && n < 32; n++)
		ids[n] = c->pr->families[n].id;
	k = pd_one_of(c, pd_sub(p, path, "family"), id, ids, n, "family");
	c->family_unknown = k < 0;
	return k >= 0 ? &c->pr->families[k] : NULL;
}

void pd_parse_product(struct ld *c, json_t *o, const char *path, struct product *p)
{
	static const char *const keys[] = { "id", "name", "family", "settings", "separate_client_cert_from",
		"private_pki", "upload", "client_store", "rules", "assumed" };
	static const char *const pkeys[] = { "ok", "why" };
	json_t *pp, *cs;
	char q[PATHLEN];

	pd_check_keys(c, o, path, keys, 10);
	c->family_unknown = false;
	p->id = pd_str(c, o, path, "id", true) ?: "";
	p->name = pd_str(c, o, path, "name", true) ?: p->id;
	p->family = family_of(c, o, path);
	parse_settings(c, p, o, path);
	p->separate_client_cert_from = pd_band_ref(c, o, path, "separate_client_cert_from", p->family);
	p->private_pki_ok = true;
	if ((pp = pd_get(c, o, path, "private_pki", true, JSON_OBJECT)) != NULL) {
		pd_sub(q, path, "private_pki");
		pd_check_keys(c, pp, q, pkeys, 2);
		p->private_pki_ok = pd_bool(c, pp, q, "ok", true, true);
		p->private_pki_why = pd_str(c, pp, q, "why", true);
	}
	p->assumed = pd_bool(c, o, path, "assumed", false, false);
	p->upload = pd_parse_rules(c, p, o, path, "upload", false, RK_UPLOAD, &p->n_upload);
	if ((cs = pd_get(c, o, path, "client_store", false, JSON_OBJECT)) != NULL) {
		if ((p->client_store = calloc(1, sizeof(*p->client_store))) == NULL)
			c->nomem = 1;
		else
			parse_rule(c, p, cs, pd_sub(q, path, "client_store"), RK_STORE, p->client_store);
	}
	p->rules = pd_parse_rules(c, p, o, path, "rules", true, RK_RULE, &p->n_rules);
}
