/* Internal to the inventory reader (inventory*.c): positions, the
 * table-driven YAML walker, and the per-node state kept while parsing. */
#ifndef EKU_PLAN_INVENTORY_INT_H
#define EKU_PLAN_INVENTORY_INT_H

#include <libfyaml.h>

#include "plan_int.h"

struct pos {
	int line, col;
};

/* The link kind that cluster: implies between peers (ClusterDB replication). */
#define CLUSTER_LINK_KIND "clusterdb"

struct ctx {
	struct eku_plan *p;
	int nomem;
	eku_hmap *links;          /* "kind|client|server" -> link index (node names: p->node_idx) */
	size_t links_cap;
};

#define DIAG(c, ps, code, ...)                                                          \
	do {                                                                            \
		if (plan_diag_add((c)->p, (ps).line, (ps).col, code, __VA_ARGS__) != 0) \
			(c)->nomem = 1;                                                 \
	} while (0)

typedef void (*key_fn)(struct ctx *c, void *obj, struct fy_node *v, struct pos at);
struct key_def {
	const char *name;
	key_fn fn;
};

/* inventory_yaml.c */
size_t plan_distance(const char *a, const char *b);
/* libfyaml 0.7 exposes marks on tokens only: scalars have one, collections
 * borrow the position of their first entry. */
struct pos inv_pos(struct fy_node *n, struct pos fallback);
void inv_unknown_key(struct ctx *c, struct pos ps, const char *where, const char *key, const char *const *keys,
	size_t n);
/* A scalar's text, or NULL with a diag naming what was expected. */
const char *inv_scalar(struct ctx *c, struct fy_node *v, struct pos at, const char *what);
char *inv_dup(struct ctx *c, struct fy_node *v, struct pos at, const char *what);
int inv_bool(const char *s, bool *out);
/* Checks value against a closed list, with a suggestion. */
bool inv_one_of(struct ctx *c, struct pos at, const char *what, const char *v, const char *const *allowed,
	size_t n);
void inv_walk_map(struct ctx *c, struct fy_node *m, struct pos at, const char *where, const struct key_def *defs,
	size_t n, void *obj);
/* Appends "a, b, c" to buf (truncating). */
void inv_join(char *buf, size_t len, const char *const *v, size_t n);

/* inventory_nodes.c */
struct node_raw {
	struct inv_node *n;
	struct fy_node *settings, *version;
	struct pos settings_at, product_at, version_at, server_at, client_at, acme_at;
	struct pos cluster_at[32];
	size_t n_cluster_at;
};
void inv_parse_node(struct ctx *c, struct fy_node *m, struct pos at, struct node_raw *r);
eku_certlist *inv_load_certs(struct ctx *c, const char *spec, struct pos at, const char *what, bool *remote);
void inv_check_vendor(struct ctx *c, struct pos at, const char *what, const char *id);

/* inventory_version.c */
/* Normalises n->version to the family's canonical spelling and finds its
 * band; a diag when it is not a version or outside every band. */
void inv_check_version(struct ctx *c, struct node_raw *r);

/* link_kinds.c */
/* "expressway-c (client, initiates) -> expressway-e (server, accepts)". */
void link_kind_describe(const struct link_kind *k, char *buf, size_t len);
/* The kinds that fit cp -> sp, joined with ", ". */
void link_kinds_fitting(const struct products *pr, const struct product *cp, const struct product *sp, char *buf,
	size_t len);

/* inventory_links.c */
long inv_node_index(const struct ctx *c, const char *name);
void inv_parse_links(struct ctx *c, struct fy_node *links, struct pos at);
void inv_imply_cluster_links(struct ctx *c, struct node_raw *raws);

#endif
