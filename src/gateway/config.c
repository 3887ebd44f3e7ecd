/* Gateway configuration: YAML -> fresh struct gw_config, through the shared
 * walker (src/lib/yaml/walk.h).
 *
 * Keys are described once in tables (HAProxy's keyword tables); the walker
 * checks each mapping against its table, so unknown keys (with the nearest
 * spelling), wrong types and bad values are all reported in one pass with
 * file:line:column. Semantic checks follow (config_check.c), then the stores
 * are loaded and SSL_CTXs derived (store.c). A config is only handed out
 * when no error was found.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "gw_config.h"
#include "gw_store.h"

struct walk {
	struct eku_yaml y;  /* first: handlers get from their eku_yaml back here */
	struct gw_config *cfg;
	bool resolve;       /* look up upstream host names (not when fuzzing) */
};

static struct walk *walk_of(struct eku_yaml *y)
{
	return (struct walk *)(void *)y;
}

#define ERR(y, p, ...) eku_yaml_diag((y), (p), EKU_E_BAD_CONFIG, __VA_ARGS__)
#define KEY_ARGS struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v, struct eku_pos at
#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))

/* ---- gateway value types ------------------------------------------------- */

static void key_dur(KEY_ARGS)
{
	const char *s = eku_yaml_scalar(y, v, at, k->name);

	if (s != NULL && gw_duration_parse(s, (unsigned *)(void *)((char *)obj + k->off)) != 0)
		ERR(y, eku_yaml_pos(v, at), "'%s': '%s' is not a duration (e.g. 500ms, 10s, 5m)", k->name, s);
}

static void key_addr(KEY_ARGS)
{
	struct gw_addr *dst = (struct gw_addr *)(void *)((char *)obj + k->off);
	const char *s = eku_yaml_scalar(y, v, at, k->name);
	char *copy;

	if (s == NULL)
		return;
	dst->pos = eku_yaml_pos(v, at);
	if (gw_addr_parse(s, false, dst, NULL) != 0) {
		ERR(y, dst->pos, "'%s': '%s' is not a numeric address:port", k->name, s);
		return;
	}
	if ((copy = strdup(s)) == NULL)
		y->nomem = true;
	free(dst->text);
	dst->text = copy;
}

/* ---- sections -------------------------------------------------------------- */

static const struct eku_yaml_key limits_keys[] = {
	{ "max_connections", eku_yaml_key_uint, offsetof(struct gw_limits, max_connections), false, NULL },
	{ "handshake_timeout", key_dur, offsetof(struct gw_limits, handshake_timeout_ms), false, NULL },
	{ "connect_timeout", key_dur, offsetof(struct gw_limits, connect_timeout_ms), false, NULL },
	{ "idle_timeout", key_dur, offsetof(struct gw_limits, idle_timeout_ms), false, NULL },
	{ "drain_timeout", key_dur, offsetof(struct gw_limits, drain_timeout_ms), false, NULL },
	{ "buffer_size", eku_yaml_key_size, offsetof(struct gw_limits, buffer_size), false, NULL },
	{ "upstream_backoff_max", key_dur, offsetof(struct gw_limits, backoff_max_ms), false, NULL },
};

static void sec_limits(KEY_ARGS)
{
	eku_yaml_walk_map(y, v, at, "'limits'", limits_keys, NKEYS(limits_keys), &walk_of(y)->cfg->limits);
}

struct admin_tmp {
	struct gw_addr listen;
	bool insecure;
};
static const struct eku_yaml_key admin_keys[] = {
	{ "listen", key_addr, offsetof(struct admin_tmp, listen), true, NULL },
	{ "insecure_allow_remote", eku_yaml_key_bool, offsetof(struct admin_tmp, insecure), false, NULL },
};

static void sec_admin(KEY_ARGS)
{
	struct gw_config *c = walk_of(y)->cfg;
	struct admin_tmp t = { 0 };

	eku_yaml_walk_map(y, v, at, "'admin'", admin_keys, NKEYS(admin_keys), &t);
	free(c->admin.text);
	c->admin = t.listen;
	c->has_admin = t.listen.text != NULL;
	c->admin_insecure_remote = t.insecure;
}

#define E(f) offsetof(struct gw_store_entry, f)
static const struct eku_yaml_key entry_keys[] = {
	{ "name", eku_yaml_key_str, E(name), true, NULL },
	{ "cert", eku_yaml_key_str, E(cert_file), true, NULL },
	{ "key", eku_yaml_key_str, E(key_file), true, NULL },
	{ "chain", eku_yaml_key_str, E(chain_file), false, NULL },
	{ "sni", eku_yaml_key_strv, E(sni), false, NULL },
	{ "default", eku_yaml_key_bool, E(is_default), false, NULL },
};
#undef E

/* The value of key in mapping n, or NULL. */
static struct fy_node *lookup(struct fy_node *n, const char *key)
{
	return n != NULL && fy_node_is_mapping(n) ? fy_node_mapping_lookup_by_string(n, key, -1) : NULL;
}

/* Positions of the file keys, for diagnostics raised while loading them. */
static void entry_positions(struct fy_node *n, struct eku_pos at, struct gw_store_entry *e)
{
	e->pos = eku_yaml_pos(n, at);
	e->cert_pos = eku_yaml_pos(lookup(n, "cert"), e->pos);
	e->key_pos = eku_yaml_pos(lookup(n, "key"), e->pos);
	e->chain_pos = eku_yaml_pos(lookup(n, "chain"), e->pos);
}

static void walk_store(struct eku_yaml *y, struct fy_node *n, struct eku_pos at, const char *what,
	struct gw_store *s)
{
	void *it = NULL;
	struct fy_node *item;
	size_t cap;

	if (n == NULL || !fy_node_is_sequence(n)) {
		ERR(y, eku_yaml_pos(n, at), "'%s' must be a list of entries (- name: ... cert: ... key: ...)", what);
		return;
	}
	cap = (size_t)fy_node_sequence_item_count(n);
	if (cap == 0)
		return;
	if ((s->v = calloc(cap, sizeof(*s->v))) == NULL) {
		y->nomem = true;
		return;
	}
	while ((item = fy_node_sequence_iterate(n, &it)) != NULL && s->n < cap) {
		struct gw_store_entry *e = &s->v[s->n++];
		char label[64];

		snprintf(label, sizeof(label), "'%s' entry %zu", what, s->n);
		entry_positions(item, at, e);
		eku_yaml_walk_map(y, item, at, label, entry_keys, NKEYS(entry_keys), e);
	}
}

static void sec_server_store(KEY_ARGS)
{
	walk_store(y, v, at, "server_store", &walk_of(y)->cfg->server_store);
}

static void sec_client_store(KEY_ARGS)
{
	walk_store(y, v, at, "client_store", &walk_of(y)->cfg->client_store);
}

static void sec_trust(KEY_ARGS)
{
	struct gw_config *c = walk_of(y)->cfg;

	c->trust_pos = eku_yaml_pos(v, at);
	(void)eku_yaml_strv(y, v, at, "trust", &c->trust);
}

static void sec_crl(KEY_ARGS)
{
	struct gw_config *c = walk_of(y)->cfg;

	c->crl_pos = eku_yaml_pos(v, at);
	(void)eku_yaml_strv(y, v, at, "crl", &c->crl);
}

static void key_route_crl(KEY_ARGS)
{
	struct gw_route *r = obj;

	r->crl_pos = eku_yaml_pos(v, at);
	(void)eku_yaml_strv(y, v, at, "crl", &r->crl);
}

/* What an expired CRL (nextUpdate past) does: refuse (fail closed) or warn. */
static void sec_crl_expired(KEY_ARGS)
{
	struct gw_config *c = walk_of(y)->cfg;
	const char *s = eku_yaml_scalar(y, v, at, "crl_expired");

	if (s == NULL)
		return;
	if (strcmp(s, "refuse") == 0 || strcmp(s, "warn") == 0)
		c->crl_expired_warn = strcmp(s, "warn") == 0;
	else
		ERR(y, eku_yaml_pos(v, at), "'crl_expired' must be refuse or warn, not '%s'", s);
}

#define A(f) offsetof(struct gw_allow, f)
static const struct eku_yaml_key allow_keys[] = {
	{ "dns", eku_yaml_key_strv, A(dns), false, NULL },
	{ "uri", eku_yaml_key_strv, A(uri), false, NULL },
	{ "ip", eku_yaml_key_strv, A(ip), false, NULL },
	{ "cn", eku_yaml_key_strv, A(cn), false, NULL },
	{ "spki", eku_yaml_key_strv, A(spki), false, NULL },
};
#undef A

/* "v2", or a boolean: true means v2, the only version written. */
static void key_proxy_protocol(KEY_ARGS)
{
	const char *s = eku_yaml_scalar(y, v, at, k->name);
	bool *dst = (bool *)(void *)((char *)obj + k->off), on = false;

	if (s == NULL)
		return;
	if (strcmp(s, "v2") == 0 || eku_yaml_bool_parse(s, &on) == 0)
		*dst = on || strcmp(s, "v2") == 0;
	else
		ERR(y, eku_yaml_pos(v, at), "'proxy_protocol' must be v2 (or true) or false, not '%s'", s);
}

#define U(f) offsetof(struct gw_upstream, f)
static const struct eku_yaml_key upstream_keys[] = {
	{ "address", eku_yaml_key_str, U(addr.text), true, NULL },
	{ "tls", eku_yaml_key_bool, U(tls), false, NULL },
	{ "name", eku_yaml_key_str, U(name), false, NULL },
	{ "trust", eku_yaml_key_strv, U(trust), false, NULL },
	{ "client_cert", eku_yaml_key_str, U(client_cert), false, NULL },
	{ "proxy_protocol", key_proxy_protocol, U(proxy_protocol), false, NULL },
};
#undef U

static void sec_upstream(KEY_ARGS)
{
	struct gw_upstream *up = &((struct gw_route *)obj)->up;
	const char *text;
	char hb[256], pb[8];

	eku_yaml_walk_map(y, v, at, "'upstream'", upstream_keys, NKEYS(upstream_keys), up);
	up->pos = eku_yaml_pos(v, at);
	up->client_cert_pos = eku_yaml_pos(lookup(v, "client_cert"), up->pos);
	if ((text = up->addr.text) == NULL)
		return;
	up->addr.pos = eku_yaml_pos(lookup(v, "address"), up->pos);
	if (walk_of(y)->resolve ? gw_addr_parse(text, true, &up->addr, &up->host) != 0 :
				  gw_split_host_port(text, hb, sizeof(hb), pb, sizeof(pb)) != 0)
		ERR(y, up->addr.pos, "upstream address '%s' is not host:port or does not resolve", text);
}

static void sec_allow(KEY_ARGS)
{
	eku_yaml_walk_map(y, v, at, "'allow'", allow_keys, NKEYS(allow_keys), &((struct gw_route *)obj)->allow);
}

/* One address or a list; each keeps its own position for later checks. */
static void sec_listen(KEY_ARGS)
{
	struct gw_route *r = obj;
	struct fy_node *item = v;
	size_t cap = v != NULL && fy_node_is_sequence(v) ? (size_t)fy_node_sequence_item_count(v) : 1;
	void *it = NULL;

	if (v != NULL && fy_node_is_mapping(v)) {
		ERR(y, eku_yaml_pos(v, at), "listen: expected an address or a list of addresses, found a mapping");
		return;
	}
	if (cap == 0 || (r->listen = calloc(cap, sizeof(*r->listen))) == NULL) {
		y->nomem = cap != 0;
		return;
	}
	for (size_t i = 0; i < cap; i++) {
		const char *s;
		struct gw_addr *a;

		if (fy_node_is_sequence(v))
			item = fy_node_sequence_iterate(v, &it);
		if ((s = eku_yaml_scalar(y, item, eku_yaml_pos(item, at), "listen")) == NULL)
			continue;
		a = &r->listen[r->n_listen++];
		a->pos = eku_yaml_pos(item, at);
		if (gw_addr_parse(s, false, a, NULL) != 0)
			ERR(y, a->pos, "listen address '%s' is not numeric address:port "
				"(e.g. 127.0.0.1:8443, [::1]:8443, *:8443)", s);
		if ((a->text = strdup(s)) == NULL)
			y->nomem = true;
	}
}

static void sec_client_auth(KEY_ARGS)
{
	static const char *const names[] = { "none", "optional", "require" };
	struct gw_route *r = obj;
	const char *s = eku_yaml_scalar(y, v, at, "client_auth");
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < NKEYS(names) && strcmp(s, names[i]) != 0; i++)
		;
	if (i < NKEYS(names))
		r->client_auth = (enum gw_client_auth)i;
	else
		ERR(y, eku_yaml_pos(v, at), "'client_auth' must be none, optional or require, not '%s'", s);
}

static void sec_policy(KEY_ARGS)
{
	struct gw_route *r = obj;
	const char *s = eku_yaml_scalar(y, v, at, "policy");

	if (s != NULL && eku_verify_policy_parse(s, &r->policy) != 0)
		ERR(y, eku_yaml_pos(v, at), "'policy' must be enforce, ignore-client-eku, permissive or off, not '%s'", s);
}

static void sec_profile(KEY_ARGS)
{
	struct gw_route *r = obj;
	const char *s = eku_yaml_scalar(y, v, at, "profile");

	if (s != NULL && eku_verify_profile_parse(s, &r->profile) != 0)
		ERR(y, eku_yaml_pos(v, at), "'profile' must be openssl or strict, not '%s'", s);
}

#define R(f) offsetof(struct gw_route, f)
static const struct eku_yaml_key route_keys[] = {
	{ "name", eku_yaml_key_str, R(name), true, NULL },
	{ "listen", sec_listen, 0, true, NULL },
	{ "client_auth", sec_client_auth, 0, false, NULL },
	{ "trust", eku_yaml_key_strv, R(trust), false, NULL },
	{ "crl", key_route_crl, 0, false, NULL },
	{ "policy", sec_policy, 0, false, NULL },
	{ "profile", sec_profile, 0, false, NULL },
	{ "allow", sec_allow, 0, false, NULL },
	{ "observe", eku_yaml_key_bool, R(observe), false, NULL },
	{ "present_server_cert_as_client", eku_yaml_key_bool, R(present_server_cert_as_client), false, NULL },
	{ "server_cert", eku_yaml_key_str, R(server_cert), false, NULL },
	{ "upstream", sec_upstream, 0, true, NULL },
};
#undef R

static void sec_routes(KEY_ARGS)
{
	struct gw_config *c = walk_of(y)->cfg;
	void *it = NULL;
	struct fy_node *item;
	size_t cap;

	if (v == NULL || !fy_node_is_sequence(v)) {
		ERR(y, eku_yaml_pos(v, at), "'routes' must be a list of routes (- name: ... listen: ... upstream: ...)");
		return;
	}
	cap = (size_t)fy_node_sequence_item_count(v);
	if (cap == 0)
		return;
	if ((c->routes = calloc(cap, sizeof(*c->routes))) == NULL) {
		y->nomem = true;
		return;
	}
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL && c->n_routes < cap) {
		struct gw_route *r = &c->routes[c->n_routes++];
		char label[48];

		r->cfg = c;
		r->client_auth = GW_CLIENT_AUTH_REQUIRE;
		r->policy = EKU_VERIFY_ENFORCE;
		r->pos = eku_yaml_pos(item, at);
		snprintf(label, sizeof(label), "route %zu", c->n_routes);
		eku_yaml_walk_map(y, item, at, label, route_keys, NKEYS(route_keys), r);
	}
}

static void sec_version(KEY_ARGS)
{
	const char *s = eku_yaml_scalar(y, v, at, "version");

	if (s != NULL && strcmp(s, "1") != 0)
		ERR(y, eku_yaml_pos(v, at), "unsupported config version '%s' (this eku reads version 1)", s);
}

/* "workers: N" or "auto" (online CPUs, at most GW_WORKERS_AUTO_MAX). */
static void sec_workers(KEY_ARGS)
{
	struct gw_config *c = walk_of(y)->cfg;
	const char *s = eku_yaml_scalar(y, v, at, "workers");
	char *end = NULL;
	unsigned long n;

	if (s == NULL)
		return;
	if (strcmp(s, "auto") == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		c->workers = cpus < 1 ? 1 : cpus > GW_WORKERS_AUTO_MAX ? GW_WORKERS_AUTO_MAX : (unsigned)cpus;
		return;
	}
	errno = 0;
	n = isdigit((unsigned char)s[0]) ? strtoul(s, &end, 10) : 0;
	if (end == NULL || *end != '\0' || errno != 0 || n < 1 || n > GW_WORKERS_MAX)
		ERR(y, eku_yaml_pos(v, at), "'workers' must be auto or a number from 1 to %d, not '%s'",
			GW_WORKERS_MAX, s);
	else
		c->workers = (unsigned)n;
}

static const struct eku_yaml_key top_keys[] = {
	{ "version", sec_version, 0, false, NULL },
	{ "workers", sec_workers, 0, false, NULL },
	{ "user", eku_yaml_key_str, offsetof(struct gw_config, user), false, NULL },
	{ "admin", sec_admin, 0, false, NULL },
	{ "limits", sec_limits, 0, false, NULL },
	{ "trust", sec_trust, 0, false, NULL },
	{ "crl", sec_crl, 0, false, NULL },
	{ "crl_expired", sec_crl_expired, 0, false, NULL },
	{ "server_store", sec_server_store, 0, true, NULL },
	{ "client_store", sec_client_store, 0, false, NULL },
	{ "routes", sec_routes, 0, true, NULL },
};

/* ---- load ------------------------------------------------------------------- */

static void set_defaults(struct gw_config *c)
{
	c->workers = 1;
	c->limits = (struct gw_limits){
		.max_connections = 10000,
		.handshake_timeout_ms = 10000,
		.connect_timeout_ms = 5000,
		.idle_timeout_ms = 300000,
		.drain_timeout_ms = 30000,
		.buffer_size = 64 * 1024,
		.backoff_max_ms = 30000,
	};
}

static void hash_text(struct gw_config *c, const char *yaml, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(yaml, len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32)
		eku_hex(md, 32, c->sha256);
}

static struct gw_config *config_new(const char *name, const char *yaml, size_t len)
{
	struct gw_config *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	atomic_init(&c->refs, 1);
	if ((c->path = strdup(name)) == NULL) {
		free(c);
		return NULL;
	}
	c->loaded_at = (int64_t)time(NULL);
	set_defaults(c);
	hash_text(c, yaml, len);
	return c;
}

struct gw_config *gw_config_load_mem(const char *name, const char *yaml, size_t len,
	bool load_files, eku_diaglist *diags)
{
	struct gw_config *c = NULL, *ret = NULL;
	struct walk w = { .resolve = load_files };
	struct fy_node *root = NULL;
	struct eku_pos origin = { 1, 1 };

	if (diags->source == NULL && eku_diaglist_set_source(diags, name) != 0)
		goto out;
	if ((c = w.cfg = config_new(name, yaml, len)) == NULL)
		goto out;
	if (eku_yaml_load(&w.y, diags, yaml, len, &root) != 0)
		goto out;
	if (root == NULL) {
		ERR(&w.y, origin, "the file is empty (or only comments): a gateway config needs at "
			"least server_store: and routes:; start from examples/gateway/gateway.yaml");
		goto out;
	}
	eku_yaml_walk_map(&w.y, root, origin, "the configuration", top_keys, NKEYS(top_keys), c);
	gw_config_resolve_paths(c);
	gw_config_check(c, diags);
	if (eku_diaglist_errors(diags) > 0 || w.y.nomem || !load_files)
		goto out;
	gw_config_load_files(c, diags);
out:
	if (c == NULL || w.y.nomem)
		GW_DIAG(diags, EKU_DIAG_ERROR, EKU_E_NOMEM, origin, "out of memory");
	if (c != NULL && eku_diaglist_errors(diags) == 0)
		ret = c;
	else
		gw_config_free(c);
	eku_yaml_close(&w.y);
	return ret;
}

struct gw_config *gw_config_load(const char *path, bool load_files, eku_diaglist *diags)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char why[600];
	struct stat st;
	struct gw_config *c = NULL;

	if (diags->source == NULL && eku_diaglist_set_source(diags, path) != 0)
		return NULL;
	if (gw_file_read(path, 4u * 1024 * 1024, &buf, &len, why, sizeof(why)) != 0) {
		eku_diaglist_add_at(diags, EKU_DIAG_ERROR, EKU_E_IO, 0, 0, "%s", gw_file_why_unnamed(why, path));
		return NULL;
	}
	/* It names the keys the gateway serves with: others must not edit it. */
	if (stat(path, &st) == 0 && gw_file_perm_warning(path, &st, "config file", why,
	    sizeof(why)) != 0)
		eku_diaglist_add_at(diags, EKU_DIAG_WARNING, EKU_E_OK, 0, 0, "%s", why);
	c = gw_config_load_mem(path, (const char *)buf, len, load_files, diags);
	free(buf);
	return c;
}

struct gw_config *gw_config_up_ref(struct gw_config *c)
{
	if (c != NULL)
		atomic_fetch_add(&c->refs, 1);
	return c;
}

static void addr_clear(struct gw_addr *a)
{
	free(a->text);
	a->text = NULL;
}

static void route_clear(struct gw_route *r)
{
	free(r->name);
	for (size_t i = 0; i < r->n_listen; i++)
		addr_clear(&r->listen[i]);
	free(r->listen);
	eku_strv_clear(&r->trust);
	eku_strv_clear(&r->crl);
	gw_allow_clear(&r->allow);
	free(r->server_cert);
	addr_clear(&r->up.addr);
	free(r->up.host);
	free(r->up.name);
	eku_strv_clear(&r->up.trust);
	free(r->up.client_cert);
	gw_route_derived_free(r);
}

void gw_config_free(struct gw_config *c)
{
	if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (size_t i = 0; i < c->n_routes; i++)
		route_clear(&c->routes[i]);
	free(c->routes);
	gw_store_clear(&c->server_store);
	gw_store_clear(&c->client_store);
	eku_strv_clear(&c->trust);
	eku_strv_clear(&c->crl);
	eku_trust_free(c->classifier);
	addr_clear(&c->admin);
	free(c->user);
	free(c->path);
	free(c);
}

const struct gw_route *gw_config_route_for_addr(const struct gw_config *c, const char *addr)
{
	for (size_t i = 0; i < c->n_routes; i++)
		for (size_t j = 0; j < c->routes[i].n_listen; j++)
			if (strcmp(c->routes[i].listen[j].text, addr) == 0)
				return &c->routes[i];
	return NULL;
}

const struct gw_route *gw_config_route_for_name(const struct gw_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_routes; i++)
		if (strcmp(c->routes[i].name, name) == 0)
			return &c->routes[i];
	return NULL;
}
