/* The deployment inventory (YAML via libfyaml). Every problem is collected
 * with file:line:column and, where one is close, the nearest valid spelling,
 * so an operator fixes the whole file in one pass (HAProxy / acme-client
 * habit, STYLE.md 7). Certificate files are read here too, so a missing file
 * is reported at the line that names it. */
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libfyaml.h>

#include "plan_int.h"

#define MAX_DIAGS 200

int plan_diag_add(struct eku_plan *p, int line, int col, enum eku_errcode code, const char *fmt, ...)
{
	struct eku_plan_diag *nv;
	va_list ap;
	char *msg = NULL;
	int n;

	if (p->n_diags >= MAX_DIAGS)
		return 0;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	nv = n < 0 ? NULL : realloc(p->diags, (p->n_diags + 1) * sizeof(*nv));
	if (nv == NULL) {
		if (n >= 0)
			free(msg);
		return -1;
	}
	p->diags = nv;
	nv[p->n_diags].source = strdup(p->source ? p->source : "-");
	nv[p->n_diags].line = line;
	nv[p->n_diags].column = col;
	nv[p->n_diags].code = code;
	nv[p->n_diags].message = msg;
	p->n_diags++;
	return 0;
}

/* Levenshtein distance, small strings only (keys, names, versions). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			tmp = row[j];
			row[j] = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			if (prev + cost < row[j])
				row[j] = prev + cost;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *plan_nearest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, limit = strlen(word) / 3 + 2;

	for (size_t i = 0; i < n; i++) {
		size_t d = distance(word, cands[i]);
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

/* --- positions ------------------------------------------------------------ */

struct pos {
	int line, col;
};

/* libfyaml 0.7 exposes marks on tokens only: scalars have one, collections
 * borrow the position of their first entry. */
static struct pos pos_of(struct fy_node *n, struct pos fallback)
{
	struct pos r = fallback;
	const struct fy_mark *m;
	void *it = NULL;

	if (n == NULL)
		return r;
	if (fy_node_is_scalar(n) || fy_node_is_alias(n)) {
		m = fy_token_start_mark(fy_node_get_scalar_token(n));
		if (m != NULL) {
			r.line = m->line + 1;
			r.col = m->column + 1;
		}
	} else if (fy_node_is_mapping(n)) {
		struct fy_node_pair *pr = fy_node_mapping_iterate(n, &it);
		if (pr != NULL)
			r = pos_of(fy_node_pair_key(pr), fallback);
	} else if (fy_node_is_sequence(n)) {
		r = pos_of(fy_node_sequence_iterate(n, &it), fallback);
	}
	return r;
}

/* --- a small table-driven walker ------------------------------------------- */

struct ctx {
	struct eku_plan *p;
	int nomem;
};

#define DIAG(c, ps, code, ...)                                                  \
	do {                                                                    \
		if (plan_diag_add((c)->p, (ps).line, (ps).col, code, __VA_ARGS__) != 0) \
			(c)->nomem = 1;                                         \
	} while (0)

static void unknown_key(struct ctx *c, struct pos ps, const char *where, const char *key,
	const char *const *keys, size_t n)
{
	const char *near = plan_nearest(key, keys, n);
	char list[256] = "";

	for (size_t i = 0; i < n; i++) {
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, keys[i], sizeof(list) - strlen(list) - 1);
	}
	if (near != NULL)
		DIAG(c, ps, EKU_E_BAD_CONFIG, "unknown key '%s' in %s; did you mean '%s'?", key, where, near);
	else
		DIAG(c, ps, EKU_E_BAD_CONFIG, "unknown key '%s' in %s (valid: %s)", key, where, list);
}

/* A scalar's text, or NULL with a diag naming what was expected. */
static const char *scalar(struct ctx *c, struct fy_node *v, struct pos at, const char *what)
{
	if (v == NULL || fy_node_is_null(v)) {
		DIAG(c, at, EKU_E_BAD_CONFIG, "%s: a value is required", what);
		return NULL;
	}
	if (!fy_node_is_scalar(v)) {
		DIAG(c, pos_of(v, at), EKU_E_BAD_CONFIG, "%s: expected a single value, found a %s", what,
			fy_node_is_mapping(v) ? "mapping" : "list");
		return NULL;
	}
	return fy_node_get_scalar0(v);
}

static char *dup_scalar(struct ctx *c, struct fy_node *v, struct pos at, const char *what)
{
	const char *s = scalar(c, v, at, what);
	char *d = s != NULL ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		c->nomem = 1;
	return d;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "True", "TRUE", "Yes", "On" };
	static const char *const no[] = { "false", "no", "off", "False", "FALSE", "No", "Off" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0)
			return *out = true, 0;
		if (strcmp(s, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

/* Checks value against a closed list, with a suggestion. */
static bool one_of(struct ctx *c, struct pos at, const char *what, const char *v,
	const char *const *allowed, size_t n)
{
	const char *near;
	char list[256] = "";

	for (size_t i = 0; i < n; i++)
		if (strcmp(v, allowed[i]) == 0)
			return true;
	for (size_t i = 0; i < n; i++) {
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, allowed[i], sizeof(list) - strlen(list) - 1);
	}
	near = plan_nearest(v, allowed, n);
	if (near != NULL)
		DIAG(c, at, EKU_E_BAD_CONFIG, "%s: unknown value '%s'; did you mean '%s'?", what, v, near);
	else
		DIAG(c, at, EKU_E_BAD_CONFIG, "%s: unknown value '%s' (valid: %s)", what, v, list);
	return false;
}

typedef void (*key_fn)(struct ctx *c, void *obj, struct fy_node *v, struct pos at);
struct key_def {
	const char *name;
	key_fn fn;
};

static void walk_map(struct ctx *c, struct fy_node *m, struct pos at, const char *where,
	const struct key_def *defs, size_t n, void *obj)
{
	const char *names[16];
	struct fy_node_pair *pr;
	void *it = NULL;

	for (size_t i = 0; i < n && i < 16; i++)
		names[i] = defs[i].name;
	if (m == NULL || !fy_node_is_mapping(m)) {
		DIAG(c, pos_of(m, at), EKU_E_BAD_CONFIG, "%s: expected a mapping (key: value)", where);
		return;
	}
	while ((pr = fy_node_mapping_iterate(m, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(pr);
		struct pos kp = pos_of(k, at);
		const char *key = k != NULL && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : "";
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(defs[i].name, key) == 0)
				break;
		if (i == n)
			unknown_key(c, kp, where, key, names, n);
		else
			defs[i].fn(c, obj, fy_node_pair_value(pr), kp);
	}
}

/* --- nodes ------------------------------------------------------------------ */

struct node_raw {
	struct inv_node *n;
	struct fy_node *settings, *version;
	struct pos settings_at, product_at, version_at, server_at, client_at, acme_at;
	struct pos cluster_at[32];
	size_t n_cluster_at;
};

static void k_name(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	r->n->name = dup_scalar(c, v, at, "name");
	r->n->line = at.line;
	r->n->col = at.col;
}

static void k_product(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	const struct products *pr = &c->p->prods;
	const char *s = scalar(c, v, at, "product");
	const char *ids[64];
	size_t n = 0;

	r->product_at = pos_of(v, at);
	if (s == NULL)
		return;
	r->n->prod = plan_product_find(pr, s);
	if (r->n->prod != NULL)
		return;
	for (; n < pr->n && n < 64; n++)
		ids[n] = pr->v[n].id;
	one_of(c, r->product_at, "product", s, ids, n);
}

static void k_version(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	r->version = v;
	r->version_at = pos_of(v, at);
	r->n->version = dup_scalar(c, v, at, "version");
}

static void k_cluster(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	struct fy_node *item;
	void *it = NULL;

	if (v != NULL && fy_node_is_scalar(v)) {
		r->cluster_at[r->n_cluster_at++] = pos_of(v, at);
		if (eku_strv_push(&r->n->cluster, fy_node_get_scalar0(v)) != 0)
			c->nomem = 1;
		return;
	}
	if (v == NULL || !fy_node_is_sequence(v)) {
		DIAG(c, pos_of(v, at), EKU_E_BAD_CONFIG, "cluster: expected a list of node names");
		return;
	}
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
		const char *s = scalar(c, item, at, "cluster entry");
		if (s == NULL || r->n_cluster_at >= 32)
			continue;
		r->cluster_at[r->n_cluster_at++] = pos_of(item, at);
		if (eku_strv_push(&r->n->cluster, s) != 0)
			c->nomem = 1;
	}
}

static void k_cert_server(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	r->server_at = pos_of(v, at);
	r->n->server_spec = dup_scalar(c, v, at, "certificates.server");
}

static void k_cert_client(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	r->client_at = pos_of(v, at);
	r->n->client_spec = dup_scalar(c, v, at, "certificates.client");
}

static const struct key_def cert_keys[] = {
	{ "server", k_cert_server },
	{ "client", k_cert_client },
};

static void k_certificates(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	walk_map(c, v, at, "certificates", cert_keys, 2, o);
}

static void k_settings(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	r->settings = v;
	r->settings_at = at;
	if (v == NULL || !fy_node_is_mapping(v))
		DIAG(c, pos_of(v, at), EKU_E_BAD_CONFIG, "settings: expected a mapping (key: value)");
}

static void k_acme_enabled(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	const char *s = scalar(c, v, at, "acme.enabled");
	if (s != NULL && parse_bool(s, &r->n->acme) != 0)
		DIAG(c, pos_of(v, at), EKU_E_BAD_CONFIG, "acme.enabled: expected true or false, found '%s'", s);
}

static void k_acme_ca(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	r->acme_at = pos_of(v, at);
	r->n->acme_ca = dup_scalar(c, v, at, "acme.ca");
}

static void k_acme_profile(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	r->n->acme_profile = dup_scalar(c, v, at, "acme.profile");
}

static const struct key_def acme_keys[] = {
	{ "enabled", k_acme_enabled },
	{ "ca", k_acme_ca },
	{ "profile", k_acme_profile },
};

static void k_acme(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct node_raw *r = o;
	r->acme_at = at;
	walk_map(c, v, at, "acme", acme_keys, 3, o);
	if (r->n->acme_ca == NULL && r->n->acme)
		DIAG(c, at, EKU_E_BAD_CONFIG, "acme: name the CA (ca: letsencrypt)");
}

static const struct key_def node_keys[] = {
	{ "name", k_name },
	{ "product", k_product },
	{ "version", k_version },
	{ "cluster", k_cluster },
	{ "certificates", k_certificates },
	{ "settings", k_settings },
	{ "acme", k_acme },
};

static void check_version(struct ctx *c, struct node_raw *r)
{
	struct inv_node *n = r->n;
	const struct product *prod = n->prod;
	const char *labels[16];
	size_t i, nb = 0;
	char list[256] = "";

	n->band = -1;
	if (prod == NULL || prod->family == NULL)
		return;
	if (n->version == NULL) {
		if (r->version == NULL)
			DIAG(c, r->product_at, EKU_E_BAD_CONFIG,
				"node '%s': %s needs a version (e.g. version: X15.5.0)", n->name ?: "?", prod->id);
		return;
	}
	n->band = plan_product_band(prod, n->version);
	if (n->band >= 0)
		return;
	for (i = 0; i < prod->family->n_bands; i++) {
		const struct band *b = &prod->family->bands[i];
		const char *from = b->from, *to = b->to;
		if (nb < 15)
			labels[nb++] = from;
		if (to != NULL && nb < 15)
			labels[nb++] = to;
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, b->label, sizeof(list) - strlen(list) - 1);
	}
	const char *near = plan_nearest(n->version, labels, nb);
	DIAG(c, r->version_at, EKU_E_BAD_CONFIG, "version '%s' of %s is not a known version (known: %s)%s%s%s",
		n->version, prod->id, list, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

/* The position of a setting's value, or of the settings mapping when the
 * setting is defaulted. */
static struct pos setting_pos(struct fy_node *settings, struct pos at, const char *key)
{
	struct fy_node *v = settings ? fy_node_mapping_lookup_by_string(settings, key, FY_NT) : NULL;

	return v != NULL ? pos_of(v, at) : at;
}

/* A value that needs another setting ("requires" in the product data: the
 * eku gateway refuses ignore-client-eku without an allow-list). */
static void check_requires(struct ctx *c, struct inv_node *n, const struct product *prod, struct fy_node *settings,
	struct pos at)
{
	for (size_t i = 0; prod != NULL && i < prod->n_settings; i++) {
		const struct setting *d = &prod->settings[i];
		const char *key = d->name, *val = json_string_value(json_object_get(n->settings, key)) ?: "";
		for (size_t k = 0; k < d->n_reqs; k++) {
			const struct setting_req *req = &d->reqs[k];
			const char *want = req->other_value, *have;
			if (strcmp(req->value, val) != 0)
				continue;
			have = json_string_value(json_object_get(n->settings, req->other->name)) ?: "";
			if (strcmp(have, want) != 0)
				DIAG(c, setting_pos(settings, at, key), EKU_E_BAD_CONFIG,
					"settings.%s: %s needs %s: %s (%s)", key, val, req->other->name, want, req->why);
		}
	}
}

static void check_settings(struct ctx *c, struct node_raw *r)
{
	struct inv_node *n = r->n;
	const struct product *prod = n->prod;
	struct fy_node_pair *pr;
	const char *names[16], *key;
	size_t nn = 0;
	void *it = NULL;

	n->settings = json_object();
	if (n->settings == NULL) {
		c->nomem = 1;
		return;
	}
	for (size_t i = 0; prod != NULL && i < prod->n_settings; i++) {
		if (nn < 16)
			names[nn++] = prod->settings[i].name;
		json_object_set_new(n->settings, prod->settings[i].name, json_string(prod->settings[i].dflt));
	}
	if (r->settings == NULL || !fy_node_is_mapping(r->settings) || n->prod == NULL)
		return;
	while ((pr = fy_node_mapping_iterate(r->settings, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
		struct pos kp = pos_of(k, r->settings_at);
		const char *vals[16], *s;
		const struct setting *def;
		size_t i, nv = 0;
		char what[96];

		key = fy_node_get_scalar0(k) ?: "";
		def = plan_setting_def(prod, key);
		if (def == NULL) {
			if (nn == 0)
				DIAG(c, kp, EKU_E_BAD_CONFIG, "setting '%s': %s has no settings", key, n->prod->id);
			else
				unknown_key(c, kp, n->prod->id, key, names, nn);
			continue;
		}
		snprintf(what, sizeof(what), "settings.%s", key);
		if ((s = scalar(c, v, kp, what)) == NULL)
			continue;
		for (i = 0; i < def->n_values; i++)
			if (nv < 16)
				vals[nv++] = def->values[i];
		if (!one_of(c, pos_of(v, kp), what, s, vals, nv))
			continue;
		if (n->band >= 0 && !plan_setting_in_band(def, n->band))
			DIAG(c, kp, EKU_E_BAD_CONFIG, "setting '%s' does not exist on %s %s (%s)", key,
				n->prod->id, n->version, def->what);
		json_object_set_new(n->settings, key, json_string(s));
	}
	check_requires(c, n, prod, r->settings, r->settings_at);
}

static bool looks_remote(const char *spec, const char *path)
{
	const char *colon = strrchr(spec, ':');
	struct stat st;

	if (colon == NULL || colon == spec || colon[1] == '\0' || strchr(spec, '/') != NULL)
		return false;
	for (const char *q = colon + 1; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	return stat(path, &st) != 0;
}

static char *resolve(const struct eku_plan *p, const char *spec)
{
	char *path = NULL;

	if (spec[0] == '/' || p->base_dir == NULL || p->base_dir[0] == '\0')
		return strdup(spec);
	if (asprintf(&path, "%s/%s", p->base_dir, spec) < 0)
		return NULL;
	return path;
}

/* The name in path's folder closest to its last component, for "did you mean". */
static char *nearest_file(const char *path)
{
	char *dir = strdup(path), *slash, *best = NULL;
	const char *base;
	size_t bestd = (size_t)-1;
	struct dirent *de;
	DIR *d;

	if (dir == NULL)
		return NULL;
	slash = strrchr(dir, '/');
	base = slash ? path + (slash - dir) + 1 : path;
	if (slash)
		*slash = '\0';
	d = opendir(slash ? dir : ".");
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t dd = distance(base, de->d_name);
		if (de->d_name[0] != '.' && dd < bestd && dd <= strlen(base) / 4 + 1) {
			bestd = dd;
			free(best);
			best = strdup(de->d_name);
		}
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	return best;
}

static eku_certlist *load_certs(struct ctx *c, const char *spec, struct pos at, const char *what,
	bool *remote)
{
	eku_loader *ld = NULL;
	eku_certlist *l = NULL;
	eku_diaglist dl = { 0 };
	char *path = resolve(c->p, spec), *near = NULL;
	struct stat st;

	if (path == NULL)
		goto nomem;
	if (looks_remote(spec, path)) {
		*remote = true;
		goto out;
	}
	if (stat(path, &st) != 0) {
		near = nearest_file(path);
		DIAG(c, at, EKU_E_IO, "%s: %s: no such file%s%s%s", what, spec, near ? "; did you mean '" : "",
			near ? near : "", near ? "'?" : "");
		goto out;
	}
	if ((ld = eku_loader_new()) == NULL || (l = eku_certlist_new()) == NULL)
		goto nomem;
	if (eku_loader_load_path(ld, path, l, &dl) <= 0 || eku_certlist_count(l) == 0) {
		DIAG(c, at, EKU_E_NO_CERT, "%s: %s: %s", what, spec,
			dl.n > 0 ? dl.v[0].message : "no certificate found");
		eku_certlist_free(l);
		l = NULL;
	}
	goto out;
nomem:
	c->nomem = 1;
out:
	eku_diaglist_clear(&dl);
	eku_loader_free(ld);
	free(near);
	free(path);
	return l;
}

static bool known_vendor(const struct eku_plan *p, const char *id, const char **near)
{
	const char *ids[64];
	json_t *v;
	size_t i, n = 0;

	json_array_foreach(p->vendors, i, v) {
		const char *s = json_string_value(json_object_get(v, "id"));
		if (s != NULL && strcmp(s, id) == 0)
			return true;
		if (s != NULL && n < 64)
			ids[n++] = s;
	}
	*near = plan_nearest(id, ids, n);
	return false;
}

static void check_vendor(struct ctx *c, struct pos at, const char *what, const char *id)
{
	const char *near = NULL;

	if (id == NULL || known_vendor(c->p, id, &near))
		return;
	DIAG(c, at, EKU_E_BAD_CONFIG, "%s: unknown CA vendor '%s'%s%s%s (ids are in data/ca-vendors.json)", what,
		id, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

static void check_acme_profile(struct ctx *c, struct node_raw *r)
{
	const struct inv_node *n = r->n;
	const char *profs[16];
	size_t np = 0;

	if (n->acme_profile == NULL || n->acme_ca == NULL)
		return;
	for (size_t i = 0; i < eku_timeline_rule_count(c->p->timeline); i++) {
		const struct eku_rule *ru = eku_timeline_rule_at(c->p->timeline, i);
		bool seen = false;
		if (ru->profile == NULL || strcmp(ru->authority, n->acme_ca) != 0)
			continue;
		for (size_t j = 0; j < np; j++)
			seen |= strcmp(profs[j], ru->profile) == 0;
		if (!seen && np < 16)
			profs[np++] = ru->profile;
	}
	if (np > 0)
		one_of(c, r->acme_at, "acme.profile", n->acme_profile, profs, np);
}

static void parse_node(struct ctx *c, struct fy_node *m, struct pos at, struct node_raw *r)
{
	struct inv_node *n = r->n;

	walk_map(c, m, at, "node", node_keys, sizeof(node_keys) / sizeof(node_keys[0]), r);
	if (n->name == NULL) {
		DIAG(c, pos_of(m, at), EKU_E_BAD_CONFIG, "node: 'name' is required");
		n->line = pos_of(m, at).line;
		n->col = pos_of(m, at).col;
	}
	if (n->prod == NULL && r->product_at.line == 0)
		DIAG(c, pos_of(m, at), EKU_E_BAD_CONFIG, "node '%s': 'product' is required", n->name ?: "?");
	check_version(c, r);
	check_settings(c, r);
	if (n->acme)
		check_vendor(c, r->acme_at, "acme.ca", n->acme_ca);
	check_acme_profile(c, r);
	if (n->server_spec == NULL && r->server_at.line == 0)
		DIAG(c, pos_of(m, at), EKU_E_BAD_CONFIG, "node '%s': certificates.server is required",
			n->name ?: "?");
	if (n->server_spec != NULL)
		n->server_certs = load_certs(c, n->server_spec, r->server_at, "certificates.server",
			&n->server_remote);
	if (n->client_spec != NULL)
		n->client_certs = load_certs(c, n->client_spec, r->client_at, "certificates.client",
			&n->client_remote);
}

/* --- links ----------------------------------------------------------------- */

struct link_raw {
	char *kind, *client, *server, *tls_verify;
	struct pos at, kind_at, client_at, server_at, tv_at;
};

#define LINK_KEY(field)                                                               \
	static void k_link_##field(struct ctx *c, void *o, struct fy_node *v, struct pos at) \
	{                                                                             \
		struct link_raw *r = o;                                               \
		r->field##_at = pos_of(v, at);                                        \
		r->field = dup_scalar(c, v, at, #field);                              \
	}
LINK_KEY(kind)
LINK_KEY(client)
LINK_KEY(server)

static void k_link_tls_verify(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct link_raw *r = o;
	r->tv_at = pos_of(v, at);
	r->tls_verify = dup_scalar(c, v, at, "tls_verify");
}

static const struct key_def link_keys[] = {
	{ "kind", k_link_kind },
	{ "client", k_link_client },
	{ "server", k_link_server },
	{ "tls_verify", k_link_tls_verify },
};

static long node_index(const struct eku_plan *p, const char *name)
{
	for (size_t i = 0; name != NULL && i < p->n_nodes; i++)
		if (p->nodes[i].name != NULL && strcmp(p->nodes[i].name, name) == 0)
			return (long)i;
	return -1;
}

static long ref_node(struct ctx *c, const char *name, struct pos at, const char *what)
{
	const char *names[256];
	size_t n = 0;
	long i = node_index(c->p, name);

	if (name == NULL || i >= 0)
		return i;
	for (size_t k = 0; k < c->p->n_nodes && n < 256; k++)
		if (c->p->nodes[k].name != NULL)
			names[n++] = c->p->nodes[k].name;
	const char *near = plan_nearest(name, names, n);
	DIAG(c, at, EKU_E_BAD_CONFIG, "%s: no node named '%s'%s%s%s", what, name,
		near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
	return -1;
}

static int push_link(struct eku_plan *p, const char *kind, size_t cl, size_t sv, const char *tv,
	bool implied, struct pos at)
{
	struct inv_link *nv = realloc(p->links, (p->n_links + 1) * sizeof(*nv));

	if (nv == NULL)
		return -1;
	p->links = nv;
	memset(&nv[p->n_links], 0, sizeof(nv[0]));
	nv[p->n_links].kind = strdup(kind);
	nv[p->n_links].tls_verify = strdup(tv);
	nv[p->n_links].client = cl;
	nv[p->n_links].server = sv;
	nv[p->n_links].implied = implied;
	nv[p->n_links].line = at.line;
	nv[p->n_links].col = at.col;
	p->n_links++;
	return nv[p->n_links - 1].kind && nv[p->n_links - 1].tls_verify ? 0 : -1;
}

static void parse_link(struct ctx *c, struct fy_node *m, struct pos at)
{
	static const char *const tv[] = { "on", "off", "permissive" };
	struct link_raw r = { 0 };
	const char *kinds[32];
	size_t nk = 0;
	long cl, sv;
	bool ok = true;

	r.at = pos_of(m, at);
	walk_map(c, m, at, "link", link_keys, 4, &r);
	for (size_t i = 0; i < c->p->prods.n_kinds; i++)
		if (nk < 32)
			kinds[nk++] = c->p->prods.kinds[i].id;
	if (r.kind == NULL) {
		DIAG(c, r.at, EKU_E_BAD_CONFIG, "link: 'kind' is required");
		ok = false;
	} else if (!one_of(c, r.kind_at, "link kind", r.kind, kinds, nk))
		ok = false;
	if (r.client == NULL || r.server == NULL) {
		DIAG(c, r.at, EKU_E_BAD_CONFIG, "link: 'client' and 'server' are required");
		ok = false;
	}
	if (r.tls_verify != NULL && !one_of(c, r.tv_at, "tls_verify", r.tls_verify, tv, 3))
		ok = false;
	cl = ref_node(c, r.client, r.client_at, "link client");
	sv = ref_node(c, r.server, r.server_at, "link server");
	if (cl == sv && cl >= 0) {
		DIAG(c, r.server_at, EKU_E_BAD_CONFIG, "link: client and server are the same node");
		ok = false;
	}
	if (ok && cl >= 0 && sv >= 0 &&
	    push_link(c->p, r.kind, (size_t)cl, (size_t)sv, r.tls_verify ?: "on", false, r.at) != 0)
		c->nomem = 1;
	free(r.kind);
	free(r.client);
	free(r.server);
	free(r.tls_verify);
}

/* Cluster peers replicate over ClusterDB in both directions; the accepting
 * peer's cluster_tls_verify setting decides whether certificates are checked. */
static void imply_cluster_links(struct ctx *c, struct node_raw *raws)
{
	struct eku_plan *p = c->p;
	const struct link_kind *kind = plan_link_kind_find(&p->prods, "clusterdb");
	const char *setting = kind ? kind->tls_verify_setting : NULL;

	for (size_t i = 0; i < p->n_nodes; i++) {
		for (size_t j = 0; j < p->nodes[i].cluster.n; j++) {
			struct pos at = raws[i].cluster_at[j < 32 ? j : 31];
			long k = ref_node(c, p->nodes[i].cluster.v[j], at, "cluster");
			if (k < 0 || (size_t)k == i)
				continue;
			for (int dir = 0; dir < 2; dir++) {
				size_t a = dir ? (size_t)k : i, b = dir ? i : (size_t)k;
				bool dup = false;
				const char *mode = json_string_value(json_object_get(p->nodes[b].settings, setting ?: ""));
				const char *tv = plan_link_kind_tls_verify(kind, mode) ?: "on";
				for (size_t l = 0; l < p->n_links; l++)
					dup |= p->links[l].implied && p->links[l].client == a && p->links[l].server == b;
				if (!dup && push_link(p, "clusterdb", a, b, tv, true, at) != 0)
					c->nomem = 1;
			}
		}
	}
}

/* --- top level --------------------------------------------------------------- */

struct top_raw {
	struct fy_node *nodes, *links;
	struct pos nodes_at, links_at;
};

static void k_deployment(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	free(c->p->deployment);
	c->p->deployment = dup_scalar(c, v, at, "deployment");
}

static void k_at(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	const char *s = scalar(c, v, at, "at");

	if (s == NULL)
		return;
	if (eku_time_parse(s, &c->p->inv_at) != 0)
		DIAG(c, pos_of(v, at), EKU_E_BAD_CONFIG, "at: '%s' is not a date (YYYY-MM-DD)", s);
	else
		c->p->inv_at_set = true;
}

struct root_raw {
	char *file, *vendor;
	struct pos file_at, vendor_at;
};

static void k_root_file(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct root_raw *r = o;
	r->file_at = pos_of(v, at);
	r->file = dup_scalar(c, v, at, "file");
}

static void k_root_vendor(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct root_raw *r = o;
	r->vendor_at = pos_of(v, at);
	r->vendor = dup_scalar(c, v, at, "ca_vendor");
}

static const struct key_def root_keys[] = {
	{ "file", k_root_file },
	{ "ca_vendor", k_root_vendor },
};

static bool root_file_ok(struct ctx *c, const char *file, struct pos at)
{
	bool remote = false;
	eku_certlist *l = load_certs(c, file, at, "root", &remote);
	bool ok = l != NULL;

	eku_certlist_free(l);
	return ok;
}

static void k_public_roots(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct fy_node *item;
	void *it = NULL;

	if (v == NULL || !fy_node_is_sequence(v)) {
		DIAG(c, pos_of(v, at), EKU_E_BAD_CONFIG, "public_roots: expected a list of {file, ca_vendor}");
		return;
	}
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
		struct root_raw r = { 0 };
		struct inv_root *nv;
		walk_map(c, item, at, "public_roots entry", root_keys, 2, &r);
		if (r.file == NULL)
			DIAG(c, pos_of(item, at), EKU_E_BAD_CONFIG, "public_roots entry: 'file' is required");
		check_vendor(c, r.vendor_at, "ca_vendor", r.vendor);
		if (r.file != NULL && root_file_ok(c, r.file, r.file_at) &&
		    (nv = realloc(c->p->public_roots, (c->p->n_public_roots + 1) * sizeof(*nv))) != NULL) {
			c->p->public_roots = nv;
			nv[c->p->n_public_roots].file = r.file;
			nv[c->p->n_public_roots++].vendor = r.vendor;
			continue;
		}
		free(r.file);
		free(r.vendor);
	}
}

static void k_private_roots(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct fy_node *item;
	void *it = NULL;

	if (v == NULL || !fy_node_is_sequence(v)) {
		DIAG(c, pos_of(v, at), EKU_E_BAD_CONFIG, "private_roots: expected a list of files");
		return;
	}
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
		const char *s = scalar(c, item, at, "private_roots entry");
		if (s != NULL && root_file_ok(c, s, pos_of(item, at)) && eku_strv_push(&c->p->private_roots, s) != 0)
			c->nomem = 1;
	}
}

static void k_nodes(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct top_raw *t = o;
	t->nodes = v;
	t->nodes_at = at;
}

static void k_links(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct top_raw *t = o;
	t->links = v;
	t->links_at = at;
}

static const struct key_def top_keys[] = {
	{ "deployment", k_deployment },
	{ "at", k_at },
	{ "public_roots", k_public_roots },
	{ "private_roots", k_private_roots },
	{ "nodes", k_nodes },
	{ "links", k_links },
};

static void parse_nodes(struct ctx *c, struct top_raw *t, struct node_raw **raws)
{
	struct eku_plan *p = c->p;
	struct fy_node *item;
	void *it = NULL;
	size_t n;

	if (t->nodes == NULL || !fy_node_is_sequence(t->nodes)) {
		DIAG(c, pos_of(t->nodes, t->nodes_at), EKU_E_BAD_CONFIG,
			t->nodes ? "nodes: expected a list of nodes" : "inventory: 'nodes' is required");
		return;
	}
	n = (size_t)fy_node_sequence_item_count(t->nodes);
	p->nodes = calloc(n + 1, sizeof(*p->nodes));
	*raws = calloc(n + 1, sizeof(**raws));
	if (p->nodes == NULL || *raws == NULL) {
		c->nomem = 1;
		return;
	}
	while ((item = fy_node_sequence_iterate(t->nodes, &it)) != NULL) {
		struct node_raw *r = &(*raws)[p->n_nodes];
		r->n = &p->nodes[p->n_nodes];
		r->n->band = -1;
		parse_node(c, item, t->nodes_at, r);
		if (r->n->name != NULL && node_index(p, r->n->name) >= 0)
		{
			struct pos np = { r->n->line, r->n->col };
			DIAG(c, np, EKU_E_BAD_CONFIG, "node '%s' is defined twice", r->n->name);
		}
		p->n_nodes++;
	}
}

static void parse_links(struct ctx *c, struct top_raw *t)
{
	struct fy_node *item;
	void *it = NULL;

	if (t->links == NULL)
		return;
	if (!fy_node_is_sequence(t->links)) {
		DIAG(c, pos_of(t->links, t->links_at), EKU_E_BAD_CONFIG, "links: expected a list of links");
		return;
	}
	while ((item = fy_node_sequence_iterate(t->links, &it)) != NULL)
		parse_link(c, item, t->links_at);
}

/* libfyaml reports syntax errors through its diag output as
 * "<source>:LINE:COL: error: MESSAGE"; keep the first one. */
struct syntax {
	int line, col;
	char msg[256];
};

static void fy_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	struct syntax *s = user;
	char tmp[512];
	const char *e;
	int line, col;

	if (s->line != 0 || len == 0)
		return;
	snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < sizeof(tmp) ? len : sizeof(tmp) - 1), buf);
	if ((e = strstr(tmp, ": error: ")) == NULL)
		return;
	for (const char *q = e - 1; q > tmp; q--) {
		if (*q == ':' && sscanf(q, ":%d:%d: error: ", &line, &col) == 2) {
			s->line = line;
			s->col = col;
			snprintf(s->msg, sizeof(s->msg), "%s", e + 9);
			s->msg[strcspn(s->msg, "\n")] = '\0';
			return;
		}
	}
}

int plan_inventory_parse(struct eku_plan *p, const char *source, const char *yaml, size_t len)
{
	struct ctx c = { p, 0 };
	struct syntax syn = { 0 };
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag = NULL;
	struct fy_document *doc = NULL;
	struct node_raw *raws = NULL;
	struct top_raw t = { 0 };
	struct pos origin = { 1, 1 };

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = fy_output;
	dcfg.user = &syn;
	dcfg.colorize = false;
	dcfg.show_position = true;
	dcfg.level = FYET_ERROR;
	diag = fy_diag_create(&dcfg);
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET, .diag = diag };
	if (diag == NULL)
		goto nomem;
	doc = fy_document_build_from_string(&cfg, yaml, len);
	if (doc == NULL || syn.line != 0) {
		struct pos sp = { syn.line, syn.col };
		DIAG(&c, sp, EKU_E_BAD_CONFIG, "YAML syntax error: %s", syn.line ? syn.msg : "cannot parse");
		goto out;
	}
	if (fy_document_root(doc) == NULL) {
		DIAG(&c, origin, EKU_E_EMPTY, "inventory is empty; see 'eku plan --help' for an example");
		goto out;
	}
	walk_map(&c, fy_document_root(doc), origin, "inventory", top_keys, 6, &t);
	parse_nodes(&c, &t, &raws);
	if (c.nomem)
		goto nomem;
	parse_links(&c, &t);
	imply_cluster_links(&c, raws);
	(void)source;
	goto out;
nomem:
	c.nomem = 1;
out:
	free(raws);
	fy_document_destroy(doc);
	if (diag != NULL)
		fy_diag_unref(diag);
	if (c.nomem) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	return p->n_diags > 0 ? -1 : 0;
}

void plan_inventory_clear(struct eku_plan *p)
{
	for (size_t i = 0; i < p->n_nodes; i++) {
		struct inv_node *n = &p->nodes[i];
		free(n->name);
		free(n->version);
		json_decref(n->settings);
		eku_strv_clear(&n->cluster);
		free(n->server_spec);
		free(n->client_spec);
		eku_certlist_free(n->server_certs);
		eku_certlist_free(n->client_certs);
		free(n->acme_ca);
		free(n->acme_profile);
	}
	free(p->nodes);
	for (size_t i = 0; i < p->n_links; i++) {
		free(p->links[i].kind);
		free(p->links[i].tls_verify);
	}
	free(p->links);
	for (size_t i = 0; i < p->n_public_roots; i++) {
		free(p->public_roots[i].file);
		free(p->public_roots[i].vendor);
	}
	free(p->public_roots);
	eku_strv_clear(&p->private_roots);
	for (size_t i = 0; i < p->n_diags; i++) {
		free(p->diags[i].source);
		free(p->diags[i].message);
	}
	free(p->diags);
	free(p->deployment);
	p->nodes = NULL;
	p->links = NULL;
	p->public_roots = NULL;
	p->diags = NULL;
	p->deployment = NULL;
	p->n_nodes = p->n_links = p->n_public_roots = p->n_diags = 0;
	p->inv_at_set = false;
}

/* ---- host:port inputs, for eku scan --inventory ----------------------------- */

static size_t node_endpoints(const struct inv_node *n, struct eku_plan_endpoint out[2])
{
	size_t k = 0;

	if (n->server_remote && n->server_spec != NULL)
		out[k++] = (struct eku_plan_endpoint){ n->name, "server", n->server_spec };
	if (n->client_remote && n->client_spec != NULL)
		out[k++] = (struct eku_plan_endpoint){ n->name, "client", n->client_spec };
	return k;
}

size_t eku_plan_endpoint_count(const eku_plan *p)
{
	struct eku_plan_endpoint tmp[2];
	size_t total = 0;

	for (size_t i = 0; i < p->n_nodes; i++)
		total += node_endpoints(&p->nodes[i], tmp);
	return total;
}

int eku_plan_endpoint_get(const eku_plan *p, size_t i, struct eku_plan_endpoint *out)
{
	struct eku_plan_endpoint tmp[2];
	size_t k;

	for (size_t n = 0; n < p->n_nodes; n++) {
		k = node_endpoints(&p->nodes[n], tmp);
		if (i < k) {
			*out = tmp[i];
			return 0;
		}
		i -= k;
	}
	return -1;
}
