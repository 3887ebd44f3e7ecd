/* Upgrade groups: Expressway-C and -E must run the same version
 * (same_version in the product family), so every node that shares a version
 * with another upgrades with it. Nodes are joined when they list each other
 * under cluster: and when a C->E link of a kind that ties the two ends
 * together joins them. Union-find over node indexes: near-linear in nodes
 * plus links, computed once per run, so option D and the upgrade actions
 * name a group instead of listing nodes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

/* Larger groups are named by id; the members are listed once (JSON
 * upgrade_groups, the text report's "Upgrade groups"). */
#define LIST_MAX 6

static bool same_version_node(const struct inv_node *n)
{
	return n->prod != NULL && n->prod->family != NULL && n->prod->same_version;
}

/* A link kind whose two ends must run the same version (data: its client
 * and server products are one same_version family, e.g. Expressway-C -> -E
 * on uc-traversal, mra-sip, webrtc, ssh-tunnel). */
static bool tying_kind(const struct eku_plan *p, const char *kind)
{
	const struct link_kind *k = plan_link_kind_find(&p->prods, kind);

	return k != NULL && k->ties_versions;
}

static size_t uf_find(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]]; /* path halving */
		i = parent[i];
	}
	return i;
}

static void uf_union(const struct eku_plan *p, size_t *parent, size_t *size, size_t a, size_t b)
{
	const struct inv_node *x = &p->nodes[a], *y = &p->nodes[b];

	if (a == b || !same_version_node(x) || !same_version_node(y) || x->prod->family != y->prod->family)
		return;
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	if (a == b)
		return;
	if (size[a] < size[b]) {
		size_t t = a;
		a = b;
		b = t;
	}
	parent[b] = a;
	size[a] += size[b];
}

static int strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int name_group(struct eku_upgrade_group *g)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f;

	if (g->members.n > 1)
		qsort(g->members.v, g->members.n, sizeof(g->members.v[0]), strcmp_p);
	if (g->members.n > LIST_MAX) {
		g->name = plan_fmt("the %zu nodes of upgrade group %s", g->members.n, g->id);
		return g->name != NULL ? 0 : -1;
	}
	if ((f = open_memstream(&s, &len)) == NULL)
		return -1;
	for (size_t k = 0; k < g->members.n; k++)
		fprintf(f, "%s%s", k ? ", " : "", g->members.v[k]);
	if (fclose(f) != 0) {
		free(s);
		return -1;
	}
	g->name = s;
	return 0;
}

/* Numbers the groups in inventory order of their first node. */
static int collect(struct eku_plan *p, size_t *parent, size_t *root_group)
{
	size_t cap = 0;

	for (size_t i = 0; i < p->n_nodes; i++) {
		size_t r, g;
		p->node_group[i] = SIZE_MAX;
		if (!same_version_node(&p->nodes[i]))
			continue;
		r = uf_find(parent, i);
		if (root_group[r] == SIZE_MAX) {
			if (plan_grow((void **)&p->groups, &cap, p->n_groups, sizeof(*p->groups)) != 0)
				return -1;
			memset(&p->groups[p->n_groups], 0, sizeof(p->groups[0]));
			if ((p->groups[p->n_groups].id = plan_fmt("G%zu", p->n_groups + 1)) == NULL)
				return -1;
			root_group[r] = p->n_groups++;
		}
		g = p->node_group[i] = root_group[r];
		if (eku_strv_push(&p->groups[g].members, p->nodes[i].name) != 0)
			return -1;
	}
	for (size_t g = 0; g < p->n_groups; g++)
		if (name_group(&p->groups[g]) != 0)
			return -1;
	return 0;
}

int plan_groups_build(struct eku_plan *p)
{
	size_t *parent = calloc(p->n_nodes + 1, sizeof(size_t)), *size = calloc(p->n_nodes + 1, sizeof(size_t));
	size_t *root_group = calloc(p->n_nodes + 1, sizeof(size_t));
	int rc = -1;

	plan_groups_clear(p);
	p->node_group = calloc(p->n_nodes + 1, sizeof(size_t));
	if (parent == NULL || size == NULL || root_group == NULL || p->node_group == NULL)
		goto out;
	for (size_t i = 0; i < p->n_nodes; i++) {
		parent[i] = i;
		size[i] = 1;
		root_group[i] = SIZE_MAX;
	}
	for (size_t i = 0; i < p->n_nodes; i++)
		for (size_t k = 0; k < p->nodes[i].cluster.n; k++) {
			long m = plan_node_find(p, p->nodes[i].cluster.v[k]);
			if (m >= 0)
				uf_union(p, parent, size, i, (size_t)m);
		}
	for (size_t i = 0; i < p->n_links; i++)
		if (tying_kind(p, p->links[i].kind))
			uf_union(p, parent, size, p->links[i].client, p->links[i].server);
	if (collect(p, parent, root_group) != 0)
		goto out;
	rc = 0;
out:
	free(parent);
	free(size);
	free(root_group);
	return rc;
}

void plan_groups_clear(struct eku_plan *p)
{
	for (size_t g = 0; g < p->n_groups; g++) {
		free(p->groups[g].id);
		free(p->groups[g].name);
		eku_strv_clear(&p->groups[g].members);
	}
	free(p->groups);
	free(p->node_group);
	p->groups = NULL;
	p->node_group = NULL;
	p->n_groups = 0;
}

const char *plan_group_name(const struct eku_plan *p, const struct inv_node *n)
{
	size_t i = (size_t)(n - p->nodes);

	if (p->node_group == NULL || i >= p->n_nodes || p->node_group[i] == SIZE_MAX)
		return n->name;
	return p->groups[p->node_group[i]].name;
}

const char *judge_upgrade_group(const struct eku_plan *p, const struct inv_node *n)
{
	return plan_group_name(p, n);
}
