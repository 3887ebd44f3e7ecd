/* Inventory links: kind, the two ends, tls_verify, and the ClusterDB links
 * that cluster: implies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_int.h"

/* --- links ----------------------------------------------------------------- */

struct link_raw {
	char *kind, *client, *server, *tls_verify;
	struct pos at, kind_at, client_at, server_at, tv_at;
};

#define LINK_KEY(field)                                                               \
	static void k_link_##field(struct ctx *c, void *o, struct fy_node *v, struct pos at) \
	{                                                                             \
		struct link_raw *r = o;                                               \
		r->field##_at = inv_pos(v, at);                                        \
		r->field = inv_dup(c, v, at, #field);                              \
	}
LINK_KEY(kind)
LINK_KEY(client)
LINK_KEY(server)

static void k_link_tls_verify(struct ctx *c, void *o, struct fy_node *v, struct pos at)
{
	struct link_raw *r = o;
	r->tv_at = inv_pos(v, at);
	r->tls_verify = inv_dup(c, v, at, "tls_verify");
}

static const struct key_def link_keys[] = {
	{ "kind", k_link_kind },
	{ "client", k_link_client },
	{ "server", k_link_server },
	{ "tls_verify", k_link_tls_verify },
};

long inv_node_index(const struct ctx *c, const char *name)
{
	return name_index_get(&c->names, name);
}

static long inv_ref_node(struct ctx *c, const char *name, struct pos at, const char *what)
{
	const char *names[256];
	size_t n = 0;
	long i = inv_node_index(c, name);

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

static void inv_parse_link(struct ctx *c, struct fy_node *m, struct pos at)
{
	static const char *const tv[] = { "on", "off", "permissive" };
	struct link_raw r = { 0 };
	const char *kinds[32], *k;
	json_t *x;
	size_t nk = 0;
	long cl, sv;
	bool ok = true;

	r.at = inv_pos(m, at);
	inv_walk_map(c, m, at, "link", link_keys, 4, &r);
	json_object_foreach(c->p->prods.link_kinds, k, x)
		if (nk < 32)
			kinds[nk++] = k;
	if (r.kind == NULL) {
		DIAG(c, r.at, EKU_E_BAD_CONFIG, "link: 'kind' is required");
		ok = false;
	} else if (!inv_one_of(c, r.kind_at, "link kind", r.kind, kinds, nk))
		ok = false;
	if (r.client == NULL || r.server == NULL) {
		DIAG(c, r.at, EKU_E_BAD_CONFIG, "link: 'client' and 'server' are required");
		ok = false;
	}
	if (r.tls_verify != NULL && !inv_one_of(c, r.tv_at, "tls_verify", r.tls_verify, tv, 3))
		ok = false;
	cl = inv_ref_node(c, r.client, r.client_at, "link client");
	sv = inv_ref_node(c, r.server, r.server_at, "link server");
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
void inv_imply_cluster_links(struct ctx *c, struct node_raw *raws)
{
	struct eku_plan *p = c->p;
	json_t *kind = json_object_get(p->prods.link_kinds, "clusterdb");
	const char *setting = json_string_value(json_object_get(kind, "tls_verify_setting"));
	json_t *map = json_object_get(kind, "tls_verify_map");

	for (size_t i = 0; i < p->n_nodes; i++) {
		for (size_t j = 0; j < p->nodes[i].cluster.n; j++) {
			struct pos at = raws[i].cluster_at[j < 32 ? j : 31];
			long k = inv_ref_node(c, p->nodes[i].cluster.v[j], at, "cluster");
			if (k < 0 || (size_t)k == i)
				continue;
			for (int dir = 0; dir < 2; dir++) {
				size_t a = dir ? (size_t)k : i, b = dir ? i : (size_t)k;
				bool dup = false;
				const char *mode = json_string_value(json_object_get(p->nodes[b].settings, setting ?: ""));
				const char *tv = json_string_value(json_object_get(map, mode ?: "")) ?: "on";
				for (size_t l = 0; l < p->n_links; l++)
					dup |= p->links[l].implied && p->links[l].client == a && p->links[l].server == b;
				if (!dup && push_link(p, "clusterdb", a, b, tv, true, at) != 0)
					c->nomem = 1;
			}
		}
	}
}

void inv_parse_links(struct ctx *c, struct fy_node *links, struct pos at)
{
	struct fy_node *item;
	void *it = NULL;

	if (links == NULL)
		return;
	if (!fy_node_is_sequence(links)) {
		DIAG(c, inv_pos(links, at), EKU_E_BAD_CONFIG, "links: expected a list of links");
		return;
	}
	while ((item = fy_node_sequence_iterate(links, &it)) != NULL && !c->nomem)
		inv_parse_link(c, item, at);
}
