/* Internal to the inventory reader (inventory*.c): the parse state, the
 * key tables over the shared YAML walker (yaml/walk.h), and the per-node
 * state kept while parsing. */
#ifndef EKU_PLAN_INVENTORY_INT_H
#define EKU_PLAN_INVENTORY_INT_H

#include <libfyaml.h>

#include "plan_int.h"
#include "yaml/walk.h"

/* The link kind that cluster: implies between peers (ClusterDB replication). */
#define CLUSTER_LINK_KIND "clusterdb"

struct ctx {
	struct eku_yaml y;        /* the document; its diags are the plan's */
	struct eku_plan *p;
	int nomem;
	eku_hmap *links;          /* "kind|client|server" -> link index (node names: p->node_idx) */
	size_t links_cap;
};

#define DIAG(c, ps, code, ...)                                          \
	do {                                                            \
		if (eku_yaml_diag(&(c)->y, (ps), code, __VA_ARGS__) != 0) \
			(c)->nomem = 1;                                 \
	} while (0)

typedef void (*key_fn)(struct ctx *c, void *obj, struct fy_node *v, struct eku_pos at);
struct key_def {
	const char *name;
	key_fn fn;
};

/* inventory_yaml.c: eku_yaml_walk_map over a table of key_def. */
void inv_walk_map(struct ctx *c, struct fy_node *m, struct eku_pos at, const char *where, const struct key_def *defs,
	size_t n, void *obj);

/* inventory_nodes.c */
struct node_raw {
	struct inv_node *n;
	struct fy_node *settings, *version;
	struct eku_pos settings_at, product_at, version_at, server_at, client_at, acme_at;
	struct eku_pos cluster_at[32];
	size_t n_cluster_at;
};
void inv_parse_node(struct ctx *c, struct fy_node *m, struct eku_pos at, struct node_raw *r);
eku_certlist *inv_load_certs(struct ctx *c, const char *spec, struct eku_pos at, const char *what, bool *remote);
void inv_check_vendor(struct ctx *c, struct eku_pos at, const char *what, const char *id);

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
void inv_parse_links(struct ctx *c, struct fy_node *links, struct eku_pos at);
void inv_imply_cluster_links(struct ctx *c, struct node_raw *raws);

#endif
