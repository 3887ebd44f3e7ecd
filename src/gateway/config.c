/* Gateway configuration: YAML (libfyaml) -> fresh struct gw_config.
 *
 * Keys are described once in tables (HAProxy's keyword tables); a walker
 * checks each mapping against its table, so unknown keys, wrong types and
 * bad values are all reported in one pass with file:line:column. Semantic
 * checks (references between sections, policy prerequisites) follow, then
 * the stores are loaded and SSL_CTXs derived (store.c). A config is only
 * handed out when no error was found.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libfyaml.h>
#include <openssl/evp.h>

#include "gw_config.h"
#include "gw_store.h"

/* ---- diagnostics ---------------------------------------------------------- */

void gw_diags_add(struct gw_diags *d, enum gw_severity sev, enum eku_errcode code,
	struct gw_pos pos, const char *fmt, ...)
{
	va_list ap;
	struct gw_diag *nv;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	nv = realloc(d->v, (d->n + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(msg);
		return;
	}
	d->v = nv;
	d->v[d->n++] = (struct gw_diag){ sev, code, pos, msg };
}

void gw_diags_clear(struct gw_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].message);
	free(d->v);
	free(d->file);
	memset(d, 0, sizeof(*d));
}

size_t gw_diags_errors(const struct gw_diags *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].sev == GW_SEV_ERROR;
	return n;
}

const char *gw_client_auth_name(enum gw_client_auth a)
{
	static const char *const n[] = { "none", "optional", "require" };
	return (unsigned)a < 3 ? n[a] : "?";
}

/* ---- small parsers ------------------------------------------------------- */

int gw_duration_parse(const char *s, unsigned *ms)
{
	char *end;
	unsigned long long v, mul = 1000;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60000;
	else if (strcmp(end, "h") == 0)
		mul = 3600000;
	else
		return -1;
	if (v > UINT32_MAX / mul)
		return -1;
	*ms = (unsigned)(v * mul);
	return 0;
}

static int split_host_port(const char *text, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;
	size_t n;

	if (text[0] == '[') {
		const char *rb = strchr(text, ']');
		if (rb == NULL || rb[1] != ':')
			return -1;
		n = (size_t)(rb - text - 1);
		colon = rb + 1;
		if (n >= hlen)
			return -1;
		memcpy(host, text + 1, n);
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || memchr(text, ':', (size_t)(colon - text)) != NULL)
			return -1;
		n = (size_t)(colon - text);
		if (n >= hlen)
			return -1;
		memcpy(host, text, n);
	}
	host[n] = '\0';
	if (strlen(colon + 1) == 0 || strlen(colon + 1) >= plen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) > 65535)
		return -1;
	snprintf(port, plen, "%s", colon + 1);
	return 0;
}

int gw_addr_parse(const char *text, bool resolve, struct gw_addr *out, char **hostp)
{
	char host[256], port[8];
	struct addrinfo hints, *res = NULL;
	int rc = -1;

	if (split_host_port(text, host, sizeof(host), port, sizeof(port)) != 0)
		goto out;
	if (strcmp(host, "*") == 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "0.0.0.0");
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = resolve ? AI_ADDRCONFIG : AI_NUMERICHOST;
	if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
		goto out;
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	if (hostp != NULL && (*hostp = strdup(host)) == NULL)
		goto out;
	rc = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	return rc;
}

/* ---- YAML walking -------------------------------------------------------- */

struct walk {
	struct gw_diags *d;
	struct gw_config *cfg;
	bool resolve;       /* look up upstream host names (not when fuzzing) */
};

static struct gw_pos node_pos(struct fy_node *n)
{
	struct gw_pos p = { 0, 0 };
	struct fy_token *t;
	const struct fy_mark *m;
	void *it = NULL;

	if (n == NULL)
		return p;
	switch (fy_node_get_type(n)) {
	case FYNT_SCALAR:
		t = fy_node_get_scalar_token(n);
		m = t != NULL ? fy_token_start_mark(t) : NULL;
		if (m != NULL)
			p = (struct gw_pos){ m->line + 1, m->column + 1 };
		return p;
	case FYNT_MAPPING: {
		struct fy_node_pair *pr = fy_node_mapping_iterate(n, &it);
		return pr != NULL ? node_pos(fy_node_pair_key(pr)) : p;
	}
	case FYNT_SEQUENCE:
		return node_pos(fy_node_sequence_iterate(n, &it));
	}
	return p;
}

#define ERR(w, n, ...) gw_diags_add((w)->d, GW_SEV_ERROR, EKU_E_BAD_CONFIG, node_pos(n), __VA_ARGS__)

/* Scalar text (NUL-terminated copy) or NULL with an error reported. */
static char *scalar(struct walk *w, struct fy_node *n, const char *key)
{
	const char *s;
	size_t len;
	char *out;

	if (n == NULL || !fy_node_is_scalar(n)) {
		ERR(w, n, "'%s' must be a single value", key);
		return NULL;
	}
	s = fy_node_get_scalar(n, &len);
	if (s == NULL || memchr(s, '\0', len) != NULL) {
		ERR(w, n, "'%s': invalid text", key);
		return NULL;
	}
	out = strndup(s, len);
	return out;
}

enum ktype { K_STR, K_STRV, K_BOOL, K_UINT, K_SIZE, K_DUR, K_ADDR, K_SECTION };

struct key;
typedef void (*section_fn)(struct walk *w, struct fy_node *n, void *obj);

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	section_fn section;  /* K_SECTION */
	bool required;
};

static void set_str(struct walk *w, struct fy_node *v, const char *k, char **dst)
{
	char *s = scalar(w, v, k);

	if (s == NULL)
		return;
	free(*dst);
	*dst = s;
}

static void set_strv(struct walk *w, struct fy_node *v, const char *k, eku_strv *dst)
{
	void *it = NULL;
	struct fy_node *item;
	char *s;

	if (v != NULL && fy_node_is_scalar(v)) {
		if ((s = scalar(w, v, k)) != NULL && eku_strv_push0(dst, s) != 0)
			ERR(w, v, "out of memory");
		return;
	}
	if (v == NULL || !fy_node_is_sequence(v)) {
		ERR(w, v, "'%s' must be a value or a list of values", k);
		return;
	}
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL)
		if ((s = scalar(w, item, k)) != NULL && eku_strv_push0(dst, s) != 0)
			ERR(w, item, "out of memory");
}

static void set_bool(struct walk *w, struct fy_node *v, const char *k, bool *dst)
{
	char *s = scalar(w, v, k);

	if (s == NULL)
		return;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "on") == 0)
		*dst = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "off") == 0)
		*dst = false;
	else
		ERR(w, v, "'%s' must be true or false, not '%s'", k, s);
	free(s);
}

static void set_num(struct walk *w, struct fy_node *v, const char *k, enum ktype t, void *dst)
{
	char *s = scalar(w, v, k), *end;
	unsigned long long n;

	if (s == NULL)
		return;
	if (t == K_DUR) {
		if (gw_duration_parse(s, (unsigned *)dst) != 0)
			ERR(w, v, "'%s': '%s' is not a duration (e.g. 500ms, 10s, 5m)", k, s);
		free(s);
		return;
	}
	errno = 0;
	n = strtoull(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end != '\0' || errno != 0 ||
	    (t == K_UINT && n > UINT32_MAX))
		ERR(w, v, "'%s': '%s' is not a non-negative integer", k, s);
	else if (t == K_UINT)
		*(unsigned *)dst = (unsigned)n;
	else
		*(size_t *)dst = (size_t)n;
	free(s);
}

static void set_addr(struct walk *w, struct fy_node *v, const char *k, struct gw_addr *dst)
{
	char *s = scalar(w, v, k);

	if (s == NULL)
		return;
	dst->pos = node_pos(v);
	if (gw_addr_parse(s, false, dst, NULL) != 0) {
		ERR(w, v, "'%s': '%s' is not a numeric address:port", k, s);
		free(s);
		return;
	}
	free(dst->text);
	dst->text = s;
}

/* Checks n (a mapping) against keys; fills obj. */
static void walk_map(struct walk *w, struct fy_node *n, const char *what,
	const struct key *keys, void *obj)
{
	void *it = NULL;
	struct fy_node_pair *pr;
	bool seen[32] = { false };

	if (n == NULL || !fy_node_is_mapping(n)) {
		ERR(w, n, "%s must be a mapping of 'key: value'", what);
		return;
	}
	while ((pr = fy_node_mapping_iterate(n, &it)) != NULL) {
		struct fy_node *kn = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
		char *k = scalar(w, kn, "key");
		size_t i;

		if (k == NULL)
			continue;
		for (i = 0; keys[i].name != NULL && strcmp(keys[i].name, k) != 0; i++)
			;
		if (keys[i].name == NULL) {
			ERR(w, kn, "unknown key '%s' in %s", k, what);
			free(k);
			continue;
		}
		if (seen[i])
			ERR(w, kn, "duplicate key '%s' in %s", k, what);
		seen[i] = true;
		void *dst = (char *)obj + keys[i].off;
		switch (keys[i].type) {
		case K_STR: set_str(w, v, k, dst); break;
		case K_STRV: set_strv(w, v, k, dst); break;
		case K_BOOL: set_bool(w, v, k, dst); break;
		case K_UINT: case K_SIZE: case K_DUR: set_num(w, v, k, keys[i].type, dst); break;
		case K_ADDR: set_addr(w, v, k, dst); break;
		case K_SECTION: keys[i].section(w, v, obj); break;
		}
		free(k);
	}
	for (size_t i = 0; keys[i].name != NULL; i++)
		if (keys[i].required && !seen[i])
			ERR(w, n, "%s: missing required key '%s'", what, keys[i].name);
}

/* ---- sections ------------------------------------------------------------ */

static const struct key limits_keys[] = {
	{ "max_connections", K_UINT, offsetof(struct gw_limits, max_connections), NULL, false },
	{ "handshake_timeout", K_DUR, offsetof(struct gw_limits, handshake_timeout_ms), NULL, false },
	{ "connect_timeout", K_DUR, offsetof(struct gw_limits, connect_timeout_ms), NULL, false },
	{ "idle_timeout", K_DUR, offsetof(struct gw_limits, idle_timeout_ms), NULL, false },
	{ "drain_timeout", K_DUR, offsetof(struct gw_limits, drain_timeout_ms), NULL, false },
	{ "buffer_size", K_SIZE, offsetof(struct gw_limits, buffer_size), NULL, false },
	{ "upstream_backoff_max", K_DUR, offsetof(struct gw_limits, backoff_max_ms), NULL, false },
	{ NULL, 0, 0, NULL, false },
};

static void sec_limits(struct walk *w, struct fy_node *n, void *obj)
{
	(void)obj;
	walk_map(w, n, "'limits'", limits_keys, &w->cfg->limits);
}

struct admin_tmp {
	struct gw_addr listen;
	bool insecure;
};
static const struct key admin_keys[] = {
	{ "listen", K_ADDR, offsetof(struct admin_tmp, listen), NULL, true },
	{ "insecure_allow_remote", K_BOOL, offsetof(struct admin_tmp, insecure), NULL, false },
	{ NULL, 0, 0, NULL, false },
};

static void sec_admin(struct walk *w, struct fy_node *n, void *obj)
{
	struct admin_tmp t = { 0 };

	(void)obj;
	walk_map(w, n, "'admin'", admin_keys, &t);
	free(w->cfg->admin.text);
	w->cfg->admin = t.listen;
	w->cfg->has_admin = t.listen.text != NULL;
	w->cfg->admin_insecure_remote = t.insecure;
}

#define E(f) offsetof(struct gw_store_entry, f)
static const struct key entry_keys[] = {
	{ "name", K_STR, E(name), NULL, true },
	{ "cert", K_STR, E(cert_file), NULL, true },
	{ "key", K_STR, E(key_file), NULL, true },
	{ "chain", K_STR, E(chain_file), NULL, false },
	{ "sni", K_STRV, E(sni), NULL, false },
	{ "default", K_BOOL, E(is_default), NULL, false },
	{ NULL, 0, 0, NULL, false },
};
#undef E

/* Positions of the file keys, for diagnostics raised while loading them. */
static void entry_positions(struct fy_node *n, struct gw_store_entry *e)
{
	struct fy_node *v;

	e->pos = node_pos(n);
	e->cert_pos = e->key_pos = e->chain_pos = e->pos;
	if ((v = fy_node_mapping_lookup_by_string(n, "cert", -1)) != NULL)
		e->cert_pos = node_pos(v);
	if ((v = fy_node_mapping_lookup_by_string(n, "key", -1)) != NULL)
		e->key_pos = node_pos(v);
	if ((v = fy_node_mapping_lookup_by_string(n, "chain", -1)) != NULL)
		e->chain_pos = node_pos(v);
}

static void walk_store(struct walk *w, struct fy_node *n, const char *what, struct gw_store *s)
{
	void *it = NULL;
	struct fy_node *item;
	size_t cap;

	if (n == NULL || !fy_node_is_sequence(n)) {
		ERR(w, n, "'%s' must be a list of entries (- name: ... cert: ... key: ...)", what);
		return;
	}
	cap = (size_t)fy_node_sequence_item_count(n);
	if (cap == 0)
		return;
	if ((s->v = calloc(cap, sizeof(*s->v))) == NULL)
		return;
	while ((item = fy_node_sequence_iterate(n, &it)) != NULL && s->n < cap) {
		struct gw_store_entry *e = &s->v[s->n++];
		char label[64];

		snprintf(label, sizeof(label), "'%s' entry %zu", what, s->n);
		entry_positions(item, e);
		walk_map(w, item, label, entry_keys, e);
	}
}

static void sec_server_store(struct walk *w, struct fy_node *n, void *obj)
{
	(void)obj;
	walk_store(w, n, "server_store", &w->cfg->server_store);
}

static void sec_client_store(struct walk *w, struct fy_node *n, void *obj)
{
	(void)obj;
	walk_store(w, n, "client_store", &w->cfg->client_store);
}

static void sec_trust(struct walk *w, struct fy_node *n, void *obj)
{
	(void)obj;
	w->cfg->trust_pos = node_pos(n);
	set_strv(w, n, "trust", &w->cfg->trust);
}

#define A(f) offsetof(struct gw_allow, f)
static const struct key allow_keys[] = {
	{ "dns", K_STRV, A(dns), NULL, false },
	{ "uri", K_STRV, A(uri), NULL, false },
	{ "ip", K_STRV, A(ip), NULL, false },
	{ "cn", K_STRV, A(cn), NULL, false },
	{ "spki", K_STRV, A(spki), NULL, false },
	{ NULL, 0, 0, NULL, false },
};
#undef A

struct up_tmp {
	char *address;
	bool tls;
	char *name;
	eku_strv trust;
	char *client_cert;
	char *proxy_protocol;
};
#define U(f) offsetof(struct up_tmp, f)
static const struct key upstream_keys[] = {
	{ "address", K_STR, U(address), NULL, true },
	{ "tls", K_BOOL, U(tls), NULL, false },
	{ "name", K_STR, U(name), NULL, false },
	{ "trust", K_STRV, U(trust), NULL, false },
	{ "client_cert", K_STR, U(client_cert), NULL, false },
	{ "proxy_protocol", K_STR, U(proxy_protocol), NULL, false },
	{ NULL, 0, 0, NULL, false },
};
#undef U

static void sec_upstream(struct walk *w, struct fy_node *n, void *obj)
{
	struct gw_route *r = obj;
	struct up_tmp t = { 0 };
	struct fy_node *v;
	char hb[256], pb[8];

	walk_map(w, n, "'upstream'", upstream_keys, &t);
	r->up.pos = node_pos(n);
	r->up.tls = t.tls;
	r->up.name = t.name;
	r->up.trust = t.trust;
	r->up.client_cert = t.client_cert;
	if (fy_node_is_mapping(n) && (v = fy_node_mapping_lookup_by_string(n, "client_cert", -1)))
		r->up.client_cert_pos = node_pos(v);
	if (t.proxy_protocol != NULL) {
		if (strcmp(t.proxy_protocol, "v2") == 0 || strcmp(t.proxy_protocol, "true") == 0)
			r->up.proxy_protocol = true;
		else if (strcmp(t.proxy_protocol, "false") != 0 && strcmp(t.proxy_protocol, "off") != 0)
			ERR(w, fy_node_mapping_lookup_by_string(n, "proxy_protocol", -1),
				"'proxy_protocol' must be v2 or false, not '%s'", t.proxy_protocol);
		free(t.proxy_protocol);
	}
	if (t.address != NULL) {
		r->up.addr.pos = node_pos(fy_node_mapping_lookup_by_string(n, "address", -1));
		if (w->resolve ? gw_addr_parse(t.address, true, &r->up.addr, &r->up.host) != 0 :
				 split_host_port(t.address, hb, sizeof(hb), pb, sizeof(pb)) != 0)
			gw_diags_add(w->d, GW_SEV_ERROR, EKU_E_BAD_CONFIG, r->up.addr.pos,
				"upstream address '%s' is not host:port or does not resolve",
				t.address);
		r->up.addr.text = t.address;
	}
}

static void sec_allow(struct walk *w, struct fy_node *n, void *obj)
{
	walk_map(w, n, "'allow'", allow_keys, &((struct gw_route *)obj)->allow);
}

static void sec_listen(struct walk *w, struct fy_node *n, void *obj)
{
	struct gw_route *r = obj;
	eku_strv sv = { 0 };

	set_strv(w, n, "listen", &sv);
	if (sv.n > 0 && (r->listen = calloc(sv.n, sizeof(*r->listen))) != NULL) {
		void *it = NULL;
		struct fy_node *item = n;

		for (size_t i = 0; i < sv.n; i++) {
			if (fy_node_is_sequence(n))
				item = fy_node_sequence_iterate(n, &it);
			struct gw_addr *a = &r->listen[r->n_listen++];
			a->pos = node_pos(item);
			if (gw_addr_parse(sv.v[i], false, a, NULL) != 0)
				ERR(w, item, "listen address '%s' is not numeric address:port "
					"(e.g. 127.0.0.1:8443, [::1]:8443, *:8443)", sv.v[i]);
			a->text = sv.v[i];
			sv.v[i] = NULL;
		}
	}
	eku_strv_clear(&sv);
}

static void sec_client_auth(struct walk *w, struct fy_node *n, void *obj)
{
	struct gw_route *r = obj;
	char *s = scalar(w, n, "client_auth");

	if (s == NULL)
		return;
	if (strcmp(s, "none") == 0)
		r->client_auth = GW_CLIENT_AUTH_NONE;
	else if (strcmp(s, "optional") == 0)
		r->client_auth = GW_CLIENT_AUTH_OPTIONAL;
	else if (strcmp(s, "require") == 0)
		r->client_auth = GW_CLIENT_AUTH_REQUIRE;
	else
		ERR(w, n, "'client_auth' must be none, optional or require, not '%s'", s);
	free(s);
}

static void sec_policy(struct walk *w, struct fy_node *n, void *obj)
{
	struct gw_route *r = obj;
	char *s = scalar(w, n, "policy");

	if (s != NULL && eku_verify_policy_parse(s, &r->policy) != 0)
		ERR(w, n, "'policy' must be enforce, ignore-client-eku, permissive or off, not '%s'", s);
	free(s);
}

#define R(f) offsetof(struct gw_route, f)
static const struct key route_keys[] = {
	{ "name", K_STR, R(name), NULL, true },
	{ "listen", K_SECTION, 0, sec_listen, true },
	{ "client_auth", K_SECTION, 0, sec_client_auth, false },
	{ "trust", K_STRV, R(trust), NULL, false },
	{ "policy", K_SECTION, 0, sec_policy, false },
	{ "allow", K_SECTION, 0, sec_allow, false },
	{ "observe", K_BOOL, R(observe), NULL, false },
	{ "present_server_cert_as_client", K_BOOL, R(present_server_cert_as_client), NULL, false },
	{ "server_cert", K_STR, R(server_cert), NULL, false },
	{ "upstream", K_SECTION, 0, sec_upstream, true },
	{ NULL, 0, 0, NULL, false },
};
#undef R

static void sec_routes(struct walk *w, struct fy_node *n, void *obj)
{
	void *it = NULL;
	struct fy_node *item;
	size_t cap;
	struct gw_config *c = w->cfg;

	(void)obj;
	if (n == NULL || !fy_node_is_sequence(n)) {
		ERR(w, n, "'routes' must be a list of routes (- name: ... listen: ... upstream: ...)");
		return;
	}
	cap = (size_t)fy_node_sequence_item_count(n);
	if (cap == 0 || (c->routes = calloc(cap, sizeof(*c->routes))) == NULL)
		return;
	while ((item = fy_node_sequence_iterate(n, &it)) != NULL && c->n_routes < cap) {
		struct gw_route *r = &c->routes[c->n_routes++];
		char label[48];

		r->cfg = c;
		r->client_auth = GW_CLIENT_AUTH_REQUIRE;
		r->policy = EKU_VERIFY_ENFORCE;
		r->pos = node_pos(item);
		snprintf(label, sizeof(label), "route %zu", c->n_routes);
		walk_map(w, item, label, route_keys, r);
	}
}

static void sec_version(struct walk *w, struct fy_node *n, void *obj)
{
	char *s = scalar(w, n, "version");

	(void)obj;
	if (s != NULL && strcmp(s, "1") != 0)
		ERR(w, n, "unsupported config version '%s' (this eku reads version 1)", s);
	free(s);
}

/* "workers: N" or "auto" (online CPUs, at most GW_WORKERS_AUTO_MAX). */
static void sec_workers(struct walk *w, struct fy_node *n, void *obj)
{
	char *s = scalar(w, n, "workers"), *end = NULL;
	unsigned long v;

	(void)obj;
	if (s == NULL)
		return;
	if (strcmp(s, "auto") == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		w->cfg->workers = cpus < 1 ? 1 : cpus > GW_WORKERS_AUTO_MAX ?
			GW_WORKERS_AUTO_MAX : (unsigned)cpus;
	} else {
		errno = 0;
		v = isdigit((unsigned char)s[0]) ? strtoul(s, &end, 10) : 0;
		if (end == NULL || *end != '\0' || errno != 0 || v < 1 || v > GW_WORKERS_MAX)
			ERR(w, n, "'workers' must be auto or a number from 1 to %d, not '%s'",
				GW_WORKERS_MAX, s);
		else
			w->cfg->workers = (unsigned)v;
	}
	free(s);
}

static const struct key top_keys[] = {
	{ "version", K_SECTION, 0, sec_version, false },
	{ "workers", K_SECTION, 0, sec_workers, false },
	{ "user", K_STR, offsetof(struct gw_config, user), NULL, false },
	{ "admin", K_SECTION, 0, sec_admin, false },
	{ "limits", K_SECTION, 0, sec_limits, false },
	{ "trust", K_SECTION, 0, sec_trust, false },
	{ "server_store", K_SECTION, 0, sec_server_store, true },
	{ "client_store", K_SECTION, 0, sec_client_store, false },
	{ "routes", K_SECTION, 0, sec_routes, true },
	{ NULL, 0, 0, NULL, false },
};

/* ---- semantic checks ----------------------------------------------------- */

#define SERR(w, pos, ...) gw_diags_add((w)->d, GW_SEV_ERROR, EKU_E_BAD_CONFIG, pos, __VA_ARGS__)

static void check_store(struct walk *w, struct gw_store *s, const char *what)
{
	for (size_t i = 0; i < s->n; i++) {
		struct gw_store_entry *e = &s->v[i];

		if (e->name == NULL)
			continue;
		for (size_t j = 0; j < i; j++)
			if (s->v[j].name != NULL && strcmp(s->v[j].name, e->name) == 0)
				SERR(w, e->pos, "%s: duplicate entry name '%s'", what, e->name);
		if (e->is_default) {
			if (s->dflt != NULL)
				SERR(w, e->pos, "%s: more than one default entry ('%s' and '%s')",
					what, s->dflt->name, e->name);
			s->dflt = e;
		}
	}
	if (s->dflt == NULL && s->n > 0)
		s->dflt = &s->v[0];
}

static bool addr_equal(const struct gw_addr *a, const struct gw_addr *b)
{
	return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

static void check_route_refs(struct walk *w, struct gw_route *r)
{
	struct gw_config *c = w->cfg;

	if (r->up.client_cert != NULL && r->present_server_cert_as_client)
		SERR(w, r->up.client_cert_pos, "route '%s': client_cert and "
			"present_server_cert_as_client exclude each other", r->name);
	if (r->up.client_cert != NULL && gw_store_find(&c->client_store, r->up.client_cert) == NULL)
		SERR(w, r->up.client_cert_pos, "route '%s': client_cert '%s' is not in client_store",
			r->name, r->up.client_cert);
	if (r->server_cert != NULL && gw_store_find(&c->server_store, r->server_cert) == NULL)
		SERR(w, r->pos, "route '%s': server_cert '%s' is not in server_store", r->name,
			r->server_cert);
	if (r->server_cert != NULL && !r->present_server_cert_as_client)
		SERR(w, r->pos, "route '%s': server_cert only selects the certificate of "
			"present_server_cert_as_client: true", r->name);
	if (r->up.tls && !r->present_server_cert_as_client && c->client_store.n == 0)
		gw_diags_add(w->d, GW_SEV_WARNING, EKU_E_BAD_CONFIG, r->up.pos, "route '%s': "
			"TLS upstream but client_store is empty: no client certificate is presented",
			r->name);
	if (!r->up.tls && (r->up.name != NULL || r->up.trust.n > 0 || r->up.client_cert != NULL))
		SERR(w, r->up.pos, "route '%s': upstream name/trust/client_cert need tls: true",
			r->name);
}

static void check_route_policy(struct walk *w, struct gw_route *r)
{
	if (r->policy == EKU_VERIFY_IGNORE_CLIENT_EKU && gw_allow_empty(&r->allow))
		SERR(w, r->pos, "route '%s': policy ignore-client-eku needs an allow-list "
			"(allow: dns/uri/ip/cn/spki) to pin the peer identity", r->name);
	if (r->client_auth == GW_CLIENT_AUTH_NONE && !gw_allow_empty(&r->allow))
		SERR(w, r->pos, "route '%s': an allow-list needs client_auth optional or require",
			r->name);
	if (r->client_auth == GW_CLIENT_AUTH_OPTIONAL && r->policy == EKU_VERIFY_IGNORE_CLIENT_EKU)
		gw_diags_add(w->d, GW_SEV_WARNING, EKU_E_BAD_CONFIG, r->pos, "route '%s': "
			"client_auth optional lets clients without a certificate through", r->name);
}

static void check_semantics(struct walk *w)
{
	struct gw_config *c = w->cfg;

	check_store(w, &c->server_store, "server_store");
	check_store(w, &c->client_store, "client_store");
	if (c->server_store.n == 0)
		SERR(w, (struct gw_pos){ 1, 1 }, "server_store needs at least one entry");
	if (c->n_routes == 0)
		SERR(w, (struct gw_pos){ 1, 1 }, "no routes configured");
	for (size_t i = 0; i < c->n_routes; i++) {
		struct gw_route *r = &c->routes[i];

		if (r->name == NULL)
			continue;
		for (size_t j = 0; j < i; j++)
			if (c->routes[j].name != NULL && strcmp(c->routes[j].name, r->name) == 0)
				SERR(w, r->pos, "duplicate route name '%s'", r->name);
		for (size_t a = 0; a < r->n_listen; a++)
			for (size_t j = 0; j <= i; j++)
				for (size_t b = 0; b < (j == i ? a : c->routes[j].n_listen); b++)
					if (addr_equal(&r->listen[a], &c->routes[j].listen[b]))
						SERR(w, r->listen[a].pos, "listen address '%s' "
							"is already used by route '%s'",
							r->listen[a].text, c->routes[j].name);
		check_route_refs(w, r);
		check_route_policy(w, r);
	}
	if (c->has_admin && !c->admin_insecure_remote) {
		const struct sockaddr_storage *ss = &c->admin.ss;
		bool loop = (ss->ss_family == AF_INET &&
			     (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127) ||
			    (ss->ss_family == AF_INET6 &&
			     IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr));
		if (!loop)
			SERR(w, c->admin.pos, "admin listen '%s' is not a loopback address; set "
				"insecure_allow_remote: true to expose it", c->admin.text);
	}
}

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

static void check_limits(struct walk *w)
{
	struct gw_limits *l = &w->cfg->limits;
	struct gw_pos p = { 0, 0 };

	if (l->buffer_size < 4096 || l->buffer_size > 64u * 1024 * 1024)
		SERR(w, p, "limits: buffer_size must be between 4096 and 67108864");
	if (l->max_connections == 0)
		SERR(w, p, "limits: max_connections must be at least 1");
	if (l->handshake_timeout_ms == 0 || l->connect_timeout_ms == 0)
		SERR(w, p, "limits: handshake_timeout and connect_timeout must be positive");
}

/* ---- load ----------------------------------------------------------------- */

static void yaml_errors(struct walk *w, struct fy_diag *diag)
{
	void *it = NULL;
	struct fy_diag_error *e;

	while ((e = fy_diag_errors_iterate(diag, &it)) != NULL)
		gw_diags_add(w->d, GW_SEV_ERROR, EKU_E_BAD_CONFIG,
			(struct gw_pos){ e->line, e->column }, "YAML: %s", e->msg);
}

/* libfyaml 0.7.12 can loop forever on invalid UTF-8 inside a directive
 * (found by fuzz/gateway_config.c), so text is checked before parsing: valid
 * UTF-8 (RFC 3629 section 4), no NUL. Returns 0 or -1 with pos set. */
static int check_utf8(const unsigned char *s, size_t len, struct gw_pos *pos)
{
	int line = 1, col = 1;

	for (size_t i = 0; i < len; col++) {
		unsigned char ch = s[i];
		size_t n = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3 :
			   (ch & 0xF8) == 0xF0 ? 4 : 0;
		uint32_t cp = n == 1 ? ch : n == 2 ? ch & 0x1Fu : n == 3 ? ch & 0x0Fu : ch & 0x07u;

		if (n == 0 || ch == 0 || n > len - i)
			goto bad;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3Fu);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		if (ch == '\n')
			line++, col = 0;
		i += n;
	}
	return 0;
bad:
	*pos = (struct gw_pos){ line, col };
	return -1;
}

static void hash_text(struct gw_config *c, const char *yaml, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(yaml, len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32)
		eku_hex(md, 32, c->sha256);
}

/* Relative file names are relative to the config file's folder, as in plan
 * inventories, so a config means the same thing from any current directory.
 * "system" (the OS bundle) is a keyword, not a file. */
static void resolve_one(const char *dir, size_t dirlen, char **p)
{
	char *out = NULL;

	if (*p == NULL || (*p)[0] == '/' || strcmp(*p, "system") == 0 || strcmp(*p, "chrome") == 0)
		return;
	if (asprintf(&out, "%.*s/%s", (int)dirlen, dir, *p) < 0)
		return; /* keep the name as written; opening it reports the problem */
	free(*p);
	*p = out;
}

static void resolve_strv(const char *dir, size_t dirlen, eku_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		resolve_one(dir, dirlen, &sv->v[i]);
}

static void resolve_store(const char *dir, size_t dirlen, struct gw_store *s)
{
	for (size_t i = 0; i < s->n; i++) {
		resolve_one(dir, dirlen, &s->v[i].cert_file);
		resolve_one(dir, dirlen, &s->v[i].key_file);
		resolve_one(dir, dirlen, &s->v[i].chain_file);
	}
}

static void resolve_paths(struct gw_config *c)
{
	const char *slash = c->path != NULL ? strrchr(c->path, '/') : NULL;
	size_t n;

	if (slash == NULL)
		return; /* the config is in the current directory */
	n = (size_t)(slash - c->path);
	resolve_strv(c->path, n, &c->trust);
	resolve_store(c->path, n, &c->server_store);
	resolve_store(c->path, n, &c->client_store);
	for (size_t r = 0; r < c->n_routes; r++) {
		eku_strv *spki = &c->routes[r].allow.spki;
		resolve_strv(c->path, n, &c->routes[r].trust);
		resolve_strv(c->path, n, &c->routes[r].up.trust);
		/* An SPKI pin is a SHA-256 in hex or a certificate file. */
		for (size_t i = 0; i < spki->n; i++)
			if (strlen(spki->v[i]) != 64 || strspn(spki->v[i], "0123456789abcdefABCDEF:") != 64)
				resolve_one(c->path, n, &spki->v[i]);
	}
}

struct gw_config *gw_config_load_mem(const char *name, const char *yaml, size_t len,
	bool load_files, struct gw_diags *diags)
{
	struct gw_config *c = NULL, *ret = NULL;
	struct fy_document *doc = NULL;
	struct fy_diag *diag = NULL;
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg;
	struct walk w;
	struct gw_pos bad;

	if (diags->file == NULL)
		diags->file = strdup(name);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	atomic_init(&c->refs, 1);
	c->path = strdup(name);
	c->loaded_at = (int64_t)time(NULL);
	set_defaults(c);
	hash_text(c, yaml, len);
	w = (struct walk){ diags, c, load_files };
	if (check_utf8((const unsigned char *)yaml, len, &bad) != 0) {
		SERR(&w, bad, "not valid UTF-8 text (or contains NUL)");
		goto out;
	}
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.level = FYET_ERROR;
	if ((diag = fy_diag_create(&dcfg)) == NULL)
		goto out;
	fy_diag_set_collect_errors(diag, true);
	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	pcfg.diag = diag;
	doc = fy_document_build_from_string(&pcfg, yaml, len);
	if (doc == NULL || fy_document_root(doc) == NULL) {
		yaml_errors(&w, diag);
		if (gw_diags_errors(diags) == 0)
			SERR(&w, ((struct gw_pos){ 1, 1 }), "empty configuration");
		goto out;
	}
	walk_map(&w, fy_document_root(doc), "the configuration", top_keys, c);
	resolve_paths(c);
	check_limits(&w);
	check_semantics(&w);
	if (gw_diags_errors(diags) > 0 || !load_files)
		goto out;
	gw_config_load_files(c, diags);
out:
	if (c != NULL && gw_diags_errors(diags) == 0)
		ret = c;
	else
		gw_config_free(c);
	if (doc != NULL)
		fy_document_destroy(doc);
	if (diag != NULL)
		fy_diag_destroy(diag);
	return ret;
}

struct gw_config *gw_config_load(const char *path, bool load_files, struct gw_diags *diags)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	eku_error err;
	struct gw_config *c = NULL;

	eku_error_clear(&err);
	if (diags->file == NULL)
		diags->file = strdup(path);
	if (eku_read_file(path, 4u * 1024 * 1024, &buf, &len, &err) != 0) {
		gw_diags_add(diags, GW_SEV_ERROR, err.code, (struct gw_pos){ 0, 0 }, "%s",
			err.message);
		return NULL;
	}
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
