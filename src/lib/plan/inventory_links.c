/* Inventory links: kind, the two ends, tls_verify, and the ClusterDB links
 * that cluster: implies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_int.h"
#include "judge.h"

/* --- links ----------------------------------------------------------------- */

struct link_raw {
	char *kind, *client, *server, *tls_verify;
	struct eku_pos at, kind_at, client_at, server_at, tv_at;
};

#define LINK_KEY(field)                                                               \
	static void k_link_##field(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at) \
	{                                                                             \
		struct link_raw *r = o;                                               \
		r->field##_at = eku_yaml_pos(v, at);                                        \
		r->field = eku_yaml_dup(&c->y, v, at, #field);                              \
	}
LINK_KEY(kind)
LINK_KEY(client)
LINK_KEY(server)

static void k_link_tls_verify(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct link_raw *r = o;
	r->tv_at = eku_yaml_pos(v, at);
	r->tls_verify = eku_yaml_dup(&c->y, v, at, "tls_verify");
}

static const struct key_def link_keys[] = {
	{ "kind", k_link_kind },
	{ "client", k_link_client },
	{ "server", k_link_server },
	{ "tls_verify", k_link_tls_verify },
};

long inv_node_index(const struct ctx *c, const char *name)
{
	return plan_node_find(c->p, name);
}

long plan_node_find(const struct eku_plan *p, const char *name)
{
	size_t i;

	return name != NULL && p->node_idx != NULL && eku_hmap_gets(p->node_idx, name, &i) ? (long)i : -1;
}

static long inv_ref_node(struct ctx *c, const char *name, struct eku_pos at, const char *what)
{
	const char *names[256];
	size_t n = 0;
	long i = inv_node_index(c, name);

	if (name == NULL || i >= 0)
		return i;
	for (size_t k = 0; k < c->p->n_nodes && n < 256; k++)
		if (c->p->nodes[k].name != NULL)
			names[n++] = c->p->nodes[k].name;
	const char *near = eku_nearest(name, names, n);
	DIAG(c, at, EKU_E_BAD_CONFIG, "%s: no node named '%s'%s%s%s", what, name,
		near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
	return -1;
}

static int push_link(struct ctx *c, const char *kind, size_t cl, size_t sv, const char *tv, bool implied,
	struct eku_pos at)
{
	struct eku_plan *p = c->p;
	struct inv_link *l;

	if (p->n_links == c->links_cap) {
		size_t cap = c->links_cap ? c->links_cap * 2 : 16;
		struct inv_link *nv = realloc(p->links, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		p->links = nv;
		c->links_cap = cap;
	}
	l = &p->links[p->n_links++];
	memset(l, 0, sizeof(*l));
	l->kind = strdup(kind);
	l->tls_verify = strdup(tv);
	l->client = cl;
	l->server = sv;
	l->implied = implied;
	l->line = at.line;
	l->col = at.col;
	return l->kind && l->tls_verify ? 0 : -1;
}

/* Index of an earlier link with the same kind and ends, else -1 (and the
 * new link, about to be pushed, is remembered). */
static long seen_link(struct ctx *c, const char *kind, size_t cl, size_t sv)
{
	char *key = plan_fmt("%s|%zu|%zu", kind, cl, sv);
	long first;

	if (key == NULL) {
		c->nomem = 1;
		return -1;
	}
	if (c->links == NULL && (c->links = eku_hmap_new()) == NULL) {
		c->nomem = 1;
		free(key);
		return -1;
	}
	size_t at;
	int fresh = eku_hmap_add(c->links, key, strlen(key), c->p->n_links);
	first = fresh == 0 && eku_hmap_gets(c->links, key, &at) ? (long)at : -1;
	c->nomem |= fresh < 0;
	free(key);
	return first;
}

/* Kind and products must fit: C -> E kinds the right way round, a kind a
 * product cannot take part in refused with the kinds that fit the pair. */
static bool kind_fits(struct ctx *c, const struct link_raw *r, long cl, long sv)
{
	const struct product *cp = c->p->nodes[cl].prod, *sp = c->p->nodes[sv].prod;
	const struct link_kind *k = plan_link_kind_find(&c->p->prods, r->kind);
	char want[300], fit[300];

	if (k == NULL || cp == NULL || sp == NULL || plan_link_kind_fits(k, cp, sp))
		return true;
	link_kind_describe(k, want, sizeof(want));
	if (!k->same_product && plan_link_kind_fits(k, sp, cp)) {
		DIAG(c, r->client_at, EKU_E_BAD_CONFIG, "link %s is reversed: it goes from %s; here the client %s is %s "
			"and the server %s is %s: swap client and server", r->kind, want, r->client, cp->id, r->server,
			sp->id);
		return false;
	}
	link_kinds_fitting(&c->p->prods, cp, sp, fit, sizeof(fit));
	DIAG(c, r->kind_at, EKU_E_BAD_CONFIG, "link kind '%s' joins %s, not %s -> %s; kinds for %s -> %s: %s", r->kind,
		want, cp->id, sp->id, cp->id, sp->id, fit);
	return false;
}

static void duplicate(struct ctx *c, const struct inv_link *first, struct eku_pos at, const char *kind,
	size_t cl, size_t sv)
{
	const char *a = c->p->nodes[cl].name, *b = c->p->nodes[sv].name;

	DIAG(c, at, EKU_E_BAD_CONFIG, "link %s %s -> %s is listed twice (first at line %d); remove one", kind, a, b,
		first->line);
}

static bool link_ok(struct ctx *c, struct link_raw *r, long *cl, long *sv)
{
	static const char *const tv[] = { "on", "off", "permissive" };
	const char *kinds[32];
	bool ok = true;
	size_t nk = 0;

	for (; nk < c->p->prods.n_kinds && nk < 32; nk++)
		kinds[nk] = c->p->prods.kinds[nk].id;
	if (r->kind == NULL) {
		DIAG(c, r->at, EKU_E_BAD_CONFIG, "link: 'kind' is required");
		ok = false;
	} else if (!eku_yaml_one_of(&c->y, r->kind_at, "link kind", r->kind, kinds, nk))
		ok = false;
	if (r->client == NULL || r->server == NULL) {
		DIAG(c, r->at, EKU_E_BAD_CONFIG, "link: 'client' and 'server' are required");
		ok = false;
	}
	if (r->tls_verify != NULL && !eku_yaml_one_of(&c->y, r->tv_at, "tls_verify", r->tls_verify, tv, 3))
		ok = false;
	*cl = inv_ref_node(c, r->client, r->client_at, "link client");
	*sv = inv_ref_node(c, r->server, r->server_at, "link server");
	if (*cl == *sv && *cl >= 0) {
		DIAG(c, r->server_at, EKU_E_BAD_CONFIG, "link: client and server are the same node");
		ok = false;
	}
	return ok && *cl >= 0 && *sv >= 0 && kind_fits(c, r, *cl, *sv);
}

static void inv_parse_link(struct ctx *c, struct fy_node *m, struct eku_pos at)
{
	struct link_raw r = { 0 };
	long cl, sv, first;

	r.at = eku_yaml_pos(m, at);
	inv_walk_map(c, m, at, "link", link_keys, 4, &r);
	if (link_ok(c, &r, &cl, &sv)) {
		if ((first = seen_link(c, r.kind, (size_t)cl, (size_t)sv)) >= 0)
			duplicate(c, &c->p->links[first], r.at, r.kind, (size_t)cl, (size_t)sv);
		else if (!c->nomem &&
			 push_link(c, r.kind, (size_t)cl, (size_t)sv, r.tls_verify ?: "on", false, r.at) != 0)
			c->nomem = 1;
	}
	free(r.kind);
	free(r.client);
	free(r.server);
	free(r.tls_verify);
}

/* One direction of a cluster pair: a peer's own list and the other peer's
 * both imply it, which is expected, not a duplicate; an explicit link that
 * repeats it is (explicit links are read first). */
static void imply_one(struct ctx *c, size_t a, size_t b, struct eku_pos at)
{
	struct eku_plan *p = c->p;
	const struct link_kind *kind = plan_link_kind_find(&p->prods, CLUSTER_LINK_KIND);
	const char *setting = kind != NULL ? kind->tls_verify_setting : NULL;
	const char *mode = setting != NULL ? plan_jstr(p->nodes[b].settings, setting) : NULL;
	const char *tv = mode != NULL ? plan_link_kind_tls_verify(kind, mode) : NULL;

	if (tv == NULL)
		tv = "on";
	long first = seen_link(c, CLUSTER_LINK_KIND, a, b);

	if (first >= 0) {
		struct inv_link *l = &p->links[first];
		struct eku_pos lp = { l->line, l->col };
		if (!l->implied)
			DIAG(c, lp, EKU_E_BAD_CONFIG, "link clusterdb %s -> %s is already implied by cluster: at line %d; "
				"remove this one (cluster peers get ClusterDB links both ways)", p->nodes[a].name,
				p->nodes[b].name, at.line);
		/* Said once: the other peer's cluster: list implies it again. */
		l->implied = true;
		return;
	}
	if (!c->nomem && push_link(c, CLUSTER_LINK_KIND, a, b, tv, true, at) != 0)
		c->nomem = 1;
}

/* Cluster peers replicate over ClusterDB in both directions; the accepting
 * peer's cluster_tls_verify setting decides whether certificates are checked. */
void inv_imply_cluster_links(struct ctx *c, struct node_raw *raws)
{
	struct eku_plan *p = c->p;
	const struct link_kind *k = plan_link_kind_find(&p->prods, CLUSTER_LINK_KIND);

	for (size_t i = 0; i < p->n_nodes && !c->nomem; i++) {
		for (size_t j = 0; j < p->nodes[i].cluster.n; j++) {
			struct eku_pos at = raws[i].cluster_at[j < 32 ? j : 31];
			long m = inv_ref_node(c, p->nodes[i].cluster.v[j], at, "cluster");
			const struct product *a = p->nodes[i].prod, *b = m >= 0 ? p->nodes[m].prod : NULL;
			if (m < 0 || (size_t)m == i)
				continue;
			if (k != NULL && a != NULL && b != NULL && !plan_link_kind_fits(k, a, b)) {
				DIAG(c, at, EKU_E_BAD_CONFIG, "cluster: %s is %s and %s is %s; cluster peers run the same "
					"product", p->nodes[i].name, a->id, p->nodes[m].name, b->id);
				continue;
			}
			imply_one(c, i, (size_t)m, at);
			imply_one(c, (size_t)m, i, at);
		}
	}
}

void inv_parse_links(struct ctx *c, struct fy_node *links, struct eku_pos at)
{
	struct fy_node *item;
	void *it = NULL;

	if (links == NULL)
		return;
	if (!fy_node_is_sequence(links)) {
		DIAG(c, eku_yaml_pos(links, at), EKU_E_BAD_CONFIG, "links: expected a list of links");
		return;
	}
	while ((item = fy_node_sequence_iterate(links, &it)) != NULL && !c->nomem)
		inv_parse_link(c, item, at);
}
