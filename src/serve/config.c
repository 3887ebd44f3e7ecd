/* eku serve's configuration: YAML through the shared walker (every problem
 * at once, file:line:column), then the trust store and timeline the rounds
 * share. Durations, addresses and the bounded file reader are the
 * gateway's (one spelling of "30s" and "127.0.0.1:9860" in eku). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/probe.h>

#include "../gateway/gw_config.h"
#include "../gateway/gw_store.h"
#include "sv.h"
#include "yaml/walk.h"

#define ERR(y, p, ...) eku_yaml_diag((y), (p), EKU_E_BAD_CONFIG, __VA_ARGS__)
#define KEY_ARGS struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v, struct eku_pos at
#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))
#define SV_MAX_SOURCES 10000
#define SV_MIN_INTERVAL_MS 100

const char *sv_kind_name(enum sv_kind k)
{
	static const char *const names[] = { "files", "targets", "inventory" };
	return names[k];
}

/* A source as read, with where each of its parts was. */
struct src_tmp {
	struct sv_source s;
	bool has_files, has_targets, has_inventory;
	struct eku_pos pos;
};

static void key_dur(KEY_ARGS)
{
	const char *s = eku_yaml_scalar(y, v, at, k->name);
	unsigned *dst = (unsigned *)(void *)((char *)obj + k->off);

	if (s != NULL && gw_duration_parse(s, dst) != 0)
		ERR(y, eku_yaml_pos(v, at), "'%s': '%s' is not a duration (e.g. 500ms, 30s, 5m, 1h)", k->name, s);
}

static void key_files(KEY_ARGS)
{
	struct src_tmp *t = obj;

	t->has_files = true;
	(void)eku_yaml_strv(y, v, at, "files", &t->s.inputs);
}

/* Each target is parsed now, at its own position, so a typo is a config
 * error, not a failed round an hour later. */
static void check_target(struct eku_yaml *y, struct fy_node *n, struct eku_pos at)
{
	const char *spec = eku_yaml_scalar(y, n, at, "target");
	struct eku_target tg = { 0 };
	eku_error err = { 0 };

	if (spec != NULL && eku_target_parse(spec, &tg, &err) != 0)
		ERR(y, eku_yaml_pos(n, at), "target '%s': %s", spec, err.message);
	eku_target_clear(&tg);
}

static void key_targets(KEY_ARGS)
{
	struct src_tmp *t = obj;
	struct fy_node *item;
	void *iter = NULL;

	t->has_targets = true;
	if (eku_yaml_strv(y, v, at, "targets", &t->s.inputs) != 0)
		return;
	if (!fy_node_is_sequence(v)) {
		check_target(y, v, at);
		return;
	}
	while ((item = fy_node_sequence_iterate(v, &iter)) != NULL)
		check_target(y, item, at);
}

static void key_inventory(KEY_ARGS)
{
	struct src_tmp *t = obj;

	t->has_inventory = true;
	free(t->s.inventory);
	t->s.inventory = eku_yaml_dup(y, v, at, "inventory");
}

#define S(f) offsetof(struct src_tmp, s.f)
static const struct eku_yaml_key source_keys[] = {
	{ "name", eku_yaml_key_str, S(name), true, NULL },
	{ "interval", key_dur, S(interval_ms), false, NULL },
	{ "timeout", key_dur, S(timeout_ms), false, NULL },
	{ "files", key_files, 0, false, NULL },
	{ "targets", key_targets, 0, false, NULL },
	{ "inventory", key_inventory, 0, false, NULL },
};
#undef S

static void check_source(struct eku_yaml *y, struct src_tmp *t)
{
	int kinds = t->has_files + t->has_targets + t->has_inventory;

	if (kinds != 1) {
		ERR(y, t->pos, "source '%s': give exactly one of files:, targets: or inventory: "
			"(split it into several sources)", t->s.name ? t->s.name : "?");
		return;
	}
	t->s.kind = t->has_files ? SV_FILES : t->has_targets ? SV_TARGETS : SV_INVENTORY;
	if (t->s.kind != SV_INVENTORY && t->s.inputs.n == 0)
		ERR(y, t->pos, "source '%s': %s: is empty", t->s.name ? t->s.name : "?",
			sv_kind_name(t->s.kind));
	if (t->s.interval_ms < SV_MIN_INTERVAL_MS)
		ERR(y, t->pos, "source '%s': interval must be at least %dms", t->s.name ? t->s.name : "?",
			SV_MIN_INTERVAL_MS);
}

static void source_clear(struct sv_source *s)
{
	free(s->name);
	eku_strv_clear(&s->inputs);
	free(s->inventory);
}

static bool grow_sources(struct sv_config *c, size_t *cap)
{
	struct sv_source *v;

	if (c->n_sources < *cap)
		return true;
	*cap = *cap ? *cap * 2 : 8;
	if ((v = realloc(c->sources, *cap * sizeof(*v))) == NULL)
		return false;
	c->sources = v;
	return true;
}

static void key_sources(KEY_ARGS)
{
	struct sv_config *c = obj;
	size_t cap = 0;
	struct fy_node *item;
	void *iter = NULL;
	char where[64];

	if (!fy_node_is_sequence(v)) {
		ERR(y, eku_yaml_pos(v, at), "'sources' must be a list (- name: ... interval: ... files: ...)");
		return;
	}
	while ((item = fy_node_sequence_iterate(v, &iter)) != NULL) {
		struct src_tmp t = { .s = { .interval_ms = 300000, .timeout_ms = 10000 } };
		t.pos = eku_yaml_pos(item, at);
		t.s.line = t.pos.line;
		t.s.col = t.pos.col;
		snprintf(where, sizeof(where), "source %zu", c->n_sources + 1);
		eku_yaml_walk_map(y, item, at, where, source_keys, NKEYS(source_keys), &t);
		check_source(y, &t);
		/* A source without a name (already reported) is kept for the
		 * other checks but names nothing. */
		for (size_t i = 0; t.s.name != NULL && i < c->n_sources; i++)
			if (c->sources[i].name != NULL && strcmp(c->sources[i].name, t.s.name) == 0)
				ERR(y, t.pos, "source name '%s' is used twice", t.s.name);
		if (c->n_sources >= SV_MAX_SOURCES || !grow_sources(c, &cap)) {
			ERR(y, t.pos, "too many sources (at most %d)", SV_MAX_SOURCES);
			source_clear(&t.s);
			return;
		}
		c->sources[c->n_sources++] = t.s;
	}
	/* An empty list would start a server that watches nothing, and say
	 * "ok" to --check (found by fuzz_serve_config). */
	if (fy_node_sequence_item_count(v) == 0)
		ERR(y, eku_yaml_pos(v, at), "'sources' is empty: give at least one source "
			"(- name: ... interval: ... files: ...)");
}

static void key_listen(KEY_ARGS)
{
	struct sv_config *c = obj;
	const char *s = eku_yaml_scalar(y, v, at, "listen");
	struct gw_addr a = { 0 };

	if (s == NULL)
		return;
	if (gw_addr_parse(s, false, &a, NULL) != 0) {
		ERR(y, eku_yaml_pos(v, at), "'listen': '%s' is not a numeric address:port "
			"(e.g. 127.0.0.1:9860)", s);
		return;
	}
	if (!c->insecure_allow_remote && !gw_addr_is_loopback(&a.ss))
		/* Checked again at the end, when insecure_allow_remote came later. */
		c->listen_pos = eku_yaml_pos(v, at);
	free(a.text);
	free(c->listen);
	if ((c->listen = strdup(s)) == NULL)
		y->nomem = true;
}

static void key_system_bundle(KEY_ARGS)
{
	struct sv_config *c = obj;

	free(c->system_bundle);
	c->system_bundle = eku_yaml_dup(y, v, at, "system_bundle");
}

#define C(f) offsetof(struct sv_config, f)
static const struct eku_yaml_key top_keys[] = {
	{ "listen", key_listen, 0, false, NULL },
	{ "insecure_allow_remote", eku_yaml_key_bool, C(insecure_allow_remote), false, NULL },
	{ "data_dir", eku_yaml_key_str, C(data_dir), false, NULL },
	{ "database", eku_yaml_key_str, C(database), false, NULL },
	{ "expiring_days", eku_yaml_key_uint, C(expiring_days), false, NULL },
	{ "trust", eku_yaml_key_strv, C(trust), false, NULL },
	{ "system_bundle", key_system_bundle, 0, false, NULL },
	{ "sources", key_sources, 0, true, NULL },
};
#undef C

/* Relative names are relative to the config's folder, as in the gateway
 * config and plan inventories. Targets are not file names. */
static int resolve(const char *cfg_path, char **p)
{
	const char *slash = strrchr(cfg_path, '/');
	char *out;

	if (*p == NULL || (*p)[0] == '/' || (*p)[0] == '\0' || slash == NULL)
		return 0;
	if (asprintf(&out, "%.*s/%s", (int)(slash - cfg_path), cfg_path, *p) < 0)
		return -1;
	free(*p);
	*p = out;
	return 0;
}

static int resolve_all(struct sv_config *c)
{
	int rc = resolve(c->path, &c->data_dir) | resolve(c->path, &c->system_bundle);

	for (size_t i = 0; i < c->trust.n; i++)
		rc |= resolve(c->path, &c->trust.v[i]);
	for (size_t i = 0; i < c->n_sources; i++) {
		struct sv_source *s = &c->sources[i];
		rc |= resolve(c->path, &s->inventory);
		for (size_t j = 0; s->kind == SV_FILES && j < s->inputs.n; j++)
			rc |= resolve(c->path, &s->inputs.v[j]);
	}
	return rc;
}

static void check_top(struct eku_yaml *y, struct sv_config *c, struct eku_pos origin)
{
	struct eku_pos lp = c->listen_pos;

	if (lp.line > 0 && !c->insecure_allow_remote)
		ERR(y, lp, "'listen': '%s' is not a loopback address; set insecure_allow_remote: "
			"true to expose it (the endpoints have no authentication)", c->listen);
	if (c->database != NULL && strncmp(c->database, "postgresql://", 13) != 0 &&
	    strncmp(c->database, "postgres://", 11) != 0)
		ERR(y, origin, "'database': '%s' is not a postgresql:// URL (e.g. "
			"postgresql://eku@db.example/eku)", c->database);
	else if (c->database != NULL && c->data_dir != NULL)
		ERR(y, origin, "give data_dir: or database:, not both (the history lives in one place)");
	else if (c->database == NULL && c->data_dir == NULL)
		ERR(y, origin, "data_dir: is required (the folder of the history database, "
			"e.g. data_dir: /var/lib/eku), or database: postgresql://... for a shared one");
	if (c->listen == NULL && (c->listen = strdup(SV_DEFAULT_LISTEN)) == NULL)
		y->nomem = true;
}

/* The trust store and timeline every round shares (read-only once built). */
static int build(struct sv_config *c, eku_diaglist *d)
{
	if ((c->trust_store = eku_trust_new()) == NULL || (c->timeline = eku_timeline_new()) == NULL)
		goto nomem;
	if (eku_trust_load_data(c->trust_store) != 0 ||
	    eku_trust_add_system(c->trust_store, c->system_bundle) != 0)
		goto trust;
	for (size_t i = 0; i < c->trust.n; i++)
		if (eku_trust_add_anchor_file(c->trust_store, c->trust.v[i]) != 0)
			goto trust;
	if (eku_timeline_load(c->timeline, NULL) != 0) {
		eku_diaglist_add_at(d, EKU_DIAG_ERROR, EKU_E_BAD_DATA, 0, 0, "timeline: %s",
			eku_timeline_error(c->timeline)->message);
		return -1;
	}
	return 0;
trust:
	eku_diaglist_add_at(d, EKU_DIAG_ERROR, eku_trust_error(c->trust_store)->code, 0, 0, "trust: %s",
		eku_trust_error(c->trust_store)->message);
	return -1;
nomem:
	eku_diaglist_add_at(d, EKU_DIAG_ERROR, EKU_E_NOMEM, 0, 0, "out of memory");
	return -1;
}

static struct sv_config *parse(const char *path, const char *text, size_t len, eku_diaglist *d)
{
	struct eku_yaml y = { 0 };
	struct fy_node *root = NULL;
	struct eku_pos origin = { 1, 1 };
	struct sv_config *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->path = strdup(path)) == NULL) {
		free(c);
		return NULL;
	}
	atomic_init(&c->refs, 1);
	c->expiring_days = 30;
	if (eku_yaml_load(&y, d, text, len, &root) == 0 && root == NULL)
		ERR(&y, origin, "the file is empty (or only comments): eku serve needs data_dir: and "
			"sources:; start from examples/serve/serve.yaml");
	if (root != NULL) {
		eku_yaml_walk_map(&y, root, origin, "the configuration", top_keys, NKEYS(top_keys), c);
		check_top(&y, c, origin);
	}
	if (y.nomem || resolve_all(c) != 0)
		eku_diaglist_add_at(d, EKU_DIAG_ERROR, EKU_E_NOMEM, 0, 0, "out of memory");
	eku_yaml_close(&y);
	return c;
}

struct sv_config *sv_config_load(const char *path, bool build_stores, eku_diaglist *d)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char why[600];
	struct sv_config *c = NULL;

	if (d->source == NULL && eku_diaglist_set_source(d, path) != 0)
		return NULL;
	if (gw_file_read(path, 4u * 1024 * 1024, &buf, &len, why, sizeof(why)) != 0) {
		eku_diaglist_add_at(d, EKU_DIAG_ERROR, EKU_E_IO, 0, 0, "%s", gw_file_why_unnamed(why, path));
		return NULL;
	}
	c = sv_config_load_mem(path, (const char *)buf, len, build_stores, d);
	free(buf);
	return c;
}

struct sv_config *sv_config_load_mem(const char *name, const char *text, size_t len, bool build_stores,
	eku_diaglist *d)
{
	struct sv_config *c;

	if (d->source == NULL && eku_diaglist_set_source(d, name) != 0)
		return NULL;
	c = parse(name, text, len, d);
	if (c != NULL && eku_diaglist_errors(d) == 0 && build_stores)
		(void)build(c, d);
	if (c != NULL && eku_diaglist_errors(d) > 0) {
		sv_config_free(c);
		c = NULL;
	}
	return c;
}

struct sv_config *sv_config_up_ref(struct sv_config *c)
{
	if (c != NULL)
		atomic_fetch_add(&c->refs, 1);
	return c;
}

void sv_config_free(struct sv_config *c)
{
	if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (size_t i = 0; i < c->n_sources; i++)
		source_clear(&c->sources[i]);
	free(c->sources);
	eku_strv_clear(&c->trust);
	eku_trust_free(c->trust_store);
	eku_timeline_free(c->timeline);
	free(c->path);
	free(c->listen);
	free(c->data_dir);
	free(c->database);
	free(c->system_bundle);
	free(c);
}
