/* The gateway configuration's checks after the YAML is read: limits,
 * references between sections, policy prerequisites, duplicate names and
 * addresses; then relative file names resolved against the config's folder.
 * Every problem goes to the diag list with the position of what it names. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_config.h"
#include "gw_store.h"

#define SERR(d, pos, ...) GW_DIAG(d, EKU_DIAG_ERROR, EKU_E_BAD_CONFIG, pos, __VA_ARGS__)

static void check_store(eku_diaglist *d, struct gw_store *s, const char *what)
{
	for (size_t i = 0; i < s->n; i++) {
		struct gw_store_entry *e = &s->v[i];

		if (e->name == NULL)
			continue;
		for (size_t j = 0; j < i; j++)
			if (s->v[j].name != NULL && strcmp(s->v[j].name, e->name) == 0)
				SERR(d, e->pos, "%s: duplicate entry name '%s'", what, e->name);
		if (e->is_default) {
			if (s->dflt != NULL)
				SERR(d, e->pos, "%s: more than one default entry ('%s' and '%s')",
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

static void check_route_refs(struct gw_config *c, eku_diaglist *d, struct gw_route *r)
{
	if (r->up.client_cert != NULL && r->present_server_cert_as_client)
		SERR(d, r->up.client_cert_pos, "route '%s': client_cert and "
			"present_server_cert_as_client exclude each other", r->name);
	if (r->up.client_cert != NULL && gw_store_find(&c->client_store, r->up.client_cert) == NULL)
		SERR(d, r->up.client_cert_pos, "route '%s': client_cert '%s' is not in client_store",
			r->name, r->up.client_cert);
	if (r->server_cert != NULL && gw_store_find(&c->server_store, r->server_cert) == NULL)
		SERR(d, r->pos, "route '%s': server_cert '%s' is not in server_store", r->name,
			r->server_cert);
	if (r->server_cert != NULL && !r->present_server_cert_as_client)
		SERR(d, r->pos, "route '%s': server_cert only selects the certificate of "
			"present_server_cert_as_client: true", r->name);
	if (r->up.tls && !r->present_server_cert_as_client && c->client_store.n == 0)
		GW_DIAG(d, EKU_DIAG_WARNING, EKU_E_BAD_CONFIG, r->up.pos, "route '%s': "
			"TLS upstream but client_store is empty: no client certificate is presented",
			r->name);
	if (!r->up.tls && (r->up.name != NULL || r->up.trust.n > 0 || r->up.client_cert != NULL))
		SERR(d, r->up.pos, "route '%s': upstream name/trust/client_cert need tls: true",
			r->name);
}

static void check_route_policy(eku_diaglist *d, struct gw_route *r)
{
	if (r->policy == EKU_VERIFY_IGNORE_CLIENT_EKU && gw_allow_empty(&r->allow))
		SERR(d, r->pos, "route '%s': policy ignore-client-eku needs an allow-list "
			"(allow: dns/uri/ip/cn/spki) to pin the peer identity", r->name);
	if (r->client_auth == GW_CLIENT_AUTH_NONE && r->crl.n > 0)
		SERR(d, r->crl_pos, "route '%s': crl checks client certificates; it needs "
			"client_auth optional or require", r->name);
	if (r->client_auth == GW_CLIENT_AUTH_NONE && !gw_allow_empty(&r->allow))
		SERR(d, r->pos, "route '%s': an allow-list needs client_auth optional or require",
			r->name);
	if (r->client_auth == GW_CLIENT_AUTH_OPTIONAL && r->policy == EKU_VERIFY_IGNORE_CLIENT_EKU)
		GW_DIAG(d, EKU_DIAG_WARNING, EKU_E_BAD_CONFIG, r->pos, "route '%s': "
			"client_auth optional lets clients without a certificate through", r->name);
}

static void check_limits(struct gw_config *c, eku_diaglist *d)
{
	struct gw_limits *l = &c->limits;
	struct eku_pos p = { 0, 0 };

	if (l->buffer_size < 4096 || l->buffer_size > 64u * 1024 * 1024)
		SERR(d, p, "limits: buffer_size must be between 4096 and 67108864");
	if (l->max_connections == 0)
		SERR(d, p, "limits: max_connections must be at least 1");
	if (l->handshake_timeout_ms == 0 || l->connect_timeout_ms == 0)
		SERR(d, p, "limits: handshake_timeout and connect_timeout must be positive");
}

void gw_config_check(struct gw_config *c, eku_diaglist *d)
{
	check_limits(c, d);
	check_store(d, &c->server_store, "server_store");
	check_store(d, &c->client_store, "client_store");
	if (c->server_store.n == 0)
		SERR(d, (struct eku_pos){ 1, 1 }, "server_store needs at least one entry");
	if (c->n_routes == 0)
		SERR(d, (struct eku_pos){ 1, 1 }, "no routes configured");
	for (size_t i = 0; i < c->n_routes; i++) {
		struct gw_route *r = &c->routes[i];

		if (r->name == NULL)
			continue;
		for (size_t j = 0; j < i; j++)
			if (c->routes[j].name != NULL && strcmp(c->routes[j].name, r->name) == 0)
				SERR(d, r->pos, "duplicate route name '%s'", r->name);
		for (size_t a = 0; a < r->n_listen; a++)
			for (size_t j = 0; j <= i; j++)
				for (size_t b = 0; b < (j == i ? a : c->routes[j].n_listen); b++)
					if (addr_equal(&r->listen[a], &c->routes[j].listen[b]))
						SERR(d, r->listen[a].pos, "listen address '%s' "
							"is already used by route '%s'",
							r->listen[a].text, c->routes[j].name);
		check_route_refs(c, d, r);
		check_route_policy(d, r);
	}
	if (c->has_admin && !c->admin_insecure_remote) {
		if (!gw_addr_is_loopback(&c->admin.ss))
			SERR(d, c->admin.pos, "admin listen '%s' is not a loopback address; set "
				"insecure_allow_remote: true to expose it", c->admin.text);
	}
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

void gw_config_resolve_paths(struct gw_config *c)
{
	const char *slash = c->path != NULL ? strrchr(c->path, '/') : NULL;
	size_t n;

	if (slash == NULL)
		return; /* the config is in the current directory */
	n = (size_t)(slash - c->path);
	resolve_strv(c->path, n, &c->trust);
	resolve_strv(c->path, n, &c->crl);
	resolve_store(c->path, n, &c->server_store);
	resolve_store(c->path, n, &c->client_store);
	for (size_t r = 0; r < c->n_routes; r++) {
		eku_strv *spki = &c->routes[r].allow.spki;
		resolve_strv(c->path, n, &c->routes[r].trust);
		resolve_strv(c->path, n, &c->routes[r].crl);
		resolve_strv(c->path, n, &c->routes[r].up.trust);
		/* An SPKI pin is a SHA-256 in hex or a certificate file. */
		for (size_t i = 0; i < spki->n; i++)
			if (strlen(spki->v[i]) != 64 || strspn(spki->v[i], "0123456789abcdefABCDEF:") != 64)
				resolve_one(c->path, n, &spki->v[i]);
	}
}

