/* Inventory nodes: product, version band, settings against the product
 * profile, ACME, and the certificate files, read here so that a missing
 * file is reported at the line that names it. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inventory_int.h"

/* --- nodes ------------------------------------------------------------------ */

static void k_name(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	r->n->name = eku_yaml_dup(&c->y, v, at, "name");
	r->n->line = at.line;
	r->n->col = at.col;
}

static void k_product(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	const struct products *pr = &c->p->prods;
	const char *s = eku_yaml_scalar(&c->y, v, at, "product");
	const char *ids[64];
	size_t n = 0;

	r->product_at = eku_yaml_pos(v, at);
	if (s == NULL)
		return;
	r->n->prod = plan_product_find(pr, s);
	if (r->n->prod != NULL)
		return;
	for (; n < pr->n && n < 64; n++)
		ids[n] = pr->v[n].id;
	eku_yaml_one_of(&c->y, r->product_at, "product", s, ids, n);
}

static void k_version(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	r->version = v;
	r->version_at = eku_yaml_pos(v, at);
	r->n->version = eku_yaml_dup(&c->y, v, at, "version");
}

static void k_cluster(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	struct fy_node *item;
	void *it = NULL;

	if (v != NULL && fy_node_is_scalar(v)) {
		if (r->n_cluster_at < 32)
			r->cluster_at[r->n_cluster_at++] = eku_yaml_pos(v, at);
		if (eku_strv_push(&r->n->cluster, fy_node_get_scalar0(v)) != 0)
			c->nomem = 1;
		return;
	}
	if (v == NULL || !fy_node_is_sequence(v)) {
		DIAG(c, eku_yaml_pos(v, at), EKU_E_BAD_CONFIG, "cluster: expected a list of node names");
		return;
	}
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
		const char *s = eku_yaml_scalar(&c->y, item, at, "cluster entry");
		if (s != NULL && r->n_cluster_at == 32 && ++r->n_cluster_at)
			DIAG(c, eku_yaml_pos(item, at), EKU_E_BAD_CONFIG, "cluster: more than 32 peers (an Expressway "
				"cluster has at most 6); split the list");
		if (s == NULL || r->n_cluster_at >= 32)
			continue;
		r->cluster_at[r->n_cluster_at++] = eku_yaml_pos(item, at);
		if (eku_strv_push(&r->n->cluster, s) != 0)
			c->nomem = 1;
	}
}

static void k_cert_server(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	r->server_at = eku_yaml_pos(v, at);
	r->n->server_spec = eku_yaml_dup(&c->y, v, at, "certificates.server");
}

static void k_cert_client(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	r->client_at = eku_yaml_pos(v, at);
	r->n->client_spec = eku_yaml_dup(&c->y, v, at, "certificates.client");
}

static const struct key_def cert_keys[] = {
	{ "server", k_cert_server },
	{ "client", k_cert_client },
};

static void k_certificates(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	inv_walk_map(c, v, at, "certificates", cert_keys, 2, o);
}

static void k_settings(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	r->settings = v;
	r->settings_at = at;
	if (v == NULL || !fy_node_is_mapping(v))
		DIAG(c, eku_yaml_pos(v, at), EKU_E_BAD_CONFIG, "settings: expected a mapping (key: value)");
}

static void k_acme_enabled(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	(void)eku_yaml_bool(&c->y, v, at, "acme.enabled", &r->n->acme);
}

static void k_acme_ca(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	r->acme_at = eku_yaml_pos(v, at);
	r->n->acme_ca = eku_yaml_dup(&c->y, v, at, "acme.ca");
}

static void k_acme_profile(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	r->n->acme_profile = eku_yaml_dup(&c->y, v, at, "acme.profile");
}

static const struct key_def acme_keys[] = {
	{ "enabled", k_acme_enabled },
	{ "ca", k_acme_ca },
	{ "profile", k_acme_profile },
};

static void k_acme(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct node_raw *r = o;
	r->acme_at = at;
	inv_walk_map(c, v, at, "acme", acme_keys, 3, o);
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

/* The position of a setting's value, or of the settings mapping when the
 * setting is defaulted. */
static struct eku_pos setting_pos(struct fy_node *settings, struct eku_pos at, const char *key)
{
	struct fy_node *v = settings ? fy_node_mapping_lookup_by_string(settings, key, FY_NT) : NULL;

	return v != NULL ? eku_yaml_pos(v, at) : at;
}

/* A value that needs another setting ("requires" in the product data: the
 * eku gateway refuses ignore-client-eku without an allow-list). */
static void check_requires(struct ctx *c, struct inv_node *n, const struct product *prod, struct fy_node *settings,
	struct eku_pos at)
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
		struct eku_pos kp = eku_yaml_pos(k, r->settings_at);
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
				eku_yaml_unknown_key(&c->y, kp, n->prod->id, key, names, nn);
			continue;
		}
		snprintf(what, sizeof(what), "settings.%s", key);
		if ((s = eku_yaml_scalar(&c->y, v, kp, what)) == NULL)
			continue;
		for (i = 0; i < def->n_values; i++)
			if (nv < 16)
				vals[nv++] = def->values[i];
		if (!eku_yaml_one_of(&c->y, eku_yaml_pos(v, kp), what, s, vals, nv))
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

	if (spec[0] == '/')
		return strdup(spec);
	/* "./-", not "-": the loader reads "-" as standard input. */
	if (p->base_dir == NULL || p->base_dir[0] == '\0')
		return asprintf(&path, "./%s", spec) < 0 ? NULL : path;
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
		size_t dd = eku_distance(base, de->d_name);
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

eku_certlist *inv_load_certs(struct ctx *c, const char *spec, struct eku_pos at, const char *what,
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
	/* A FIFO or a device would block or never end (/dev/stdin, /dev/zero). */
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		DIAG(c, at, EKU_E_IO, "%s: %s: not a regular file or folder; name a PEM, DER or PKCS#7 file", what,
			spec);
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
	*near = eku_nearest(id, ids, n);
	return false;
}

void inv_check_vendor(struct ctx *c, struct eku_pos at, const char *what, const char *id)
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
		eku_yaml_one_of(&c->y, r->acme_at, "acme.profile", n->acme_profile, profs, np);
}


/* A node's certificate file, read once per distinct resolved path however
 * many nodes name it: the plan owns the list (p->certfiles), nodes borrow it. */
static eku_certlist *node_certs(struct ctx *c, const char *spec, struct eku_pos at, const char *what,
	bool *remote)
{
	struct eku_plan *p = c->p;
	char *path = resolve(p, spec);
	eku_certlist *l = NULL;
	size_t k;

	if (path == NULL || (p->certfile_idx == NULL && (p->certfile_idx = eku_hmap_new()) == NULL))
		goto nomem;
	if (eku_hmap_gets(p->certfile_idx, path, &k)) {
		l = p->certfiles[k];
		goto out;
	}
	if ((l = inv_load_certs(c, spec, at, what, remote)) == NULL)
		goto out;
	if (plan_grow((void **)&p->certfiles, &p->cap_certfiles, p->n_certfiles, sizeof(*p->certfiles)) != 0) {
		eku_certlist_free(l);
		l = NULL;
		goto nomem;
	}
	p->certfiles[p->n_certfiles] = l;
	if (eku_hmap_puts(p->certfile_idx, path, p->n_certfiles++) != 0)
		goto nomem;
	goto out;
nomem:
	c->nomem = 1;
out:
	free(path);
	return l;
}

void inv_parse_node(struct ctx *c, struct fy_node *m, struct eku_pos at, struct node_raw *r)
{
	struct inv_node *n = r->n;

	inv_walk_map(c, m, at, "node", node_keys, sizeof(node_keys) / sizeof(node_keys[0]), r);
	if (n->name == NULL) {
		DIAG(c, eku_yaml_pos(m, at), EKU_E_BAD_CONFIG, "node: 'name' is required");
		n->line = eku_yaml_pos(m, at).line;
		n->col = eku_yaml_pos(m, at).col;
	}
	if (n->prod == NULL && r->product_at.line == 0)
		DIAG(c, eku_yaml_pos(m, at), EKU_E_BAD_CONFIG, "node '%s': 'product' is required", n->name ?: "?");
	inv_check_version(c, r);
	check_settings(c, r);
	if (n->acme)
		inv_check_vendor(c, r->acme_at, "acme.ca", n->acme_ca);
	check_acme_profile(c, r);
	/* No certificates: is allowed: a partner's SBC or XMPP server is not
	 * ours to read. The judge says CERT_UNKNOWN where a rule needs it. */
	if (n->server_spec != NULL)
		n->server_certs = node_certs(c, n->server_spec, r->server_at, "certificates.server",
			&n->server_remote);
	if (n->client_spec != NULL)
		n->client_certs = node_certs(c, n->client_spec, r->client_at, "certificates.client",
			&n->client_remote);
}

