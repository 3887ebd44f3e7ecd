/* Internal to the inventory reader (inventory*.c): the parse state, the
 * key tables over the shared YAML walker (yaml/walk.h), and the per-node
 * state kept while parsing. */
#ifndef EKU_PLAN_INVENTORY_INT_H
#define EKU_PLAN_INVENTORY_INT_H

#include <libfyaml.h>

#include "plan_int.h"
#include "yaml/walk.h"

/* A string -> index map with open addressing, so that name lookups and the
 * duplicate-link check stay linear on inventories of 10k+ entries. Keys are
 * borrowed (they must outlive the map) unless owns is set: then a key put
 * successfully belongs to the map, and clear frees it. */
struct name_index {
	const char **keys;
	size_t *vals;
	size_t cap, n;
	bool owns;
};
int name_index_put(struct name_index *ix, const char *key, size_t val) __attribute__((warn_unused_result));
/* Index of key, or -1 when absent. */
long name_index_get(const struct name_index *ix, const char *key);
void name_index_clear(struct name_index *ix);

/* What a link kind admits at each end, from its data/products/ link_kinds
 * entry: client_products / server_products (absent: any product) and
 * same_product. Typed here until the product model carries it. */
struct kind_rule {
	const char *id;          /* borrowed from the products data */
	eku_strv clients, servers;
	bool same_product;
};

struct link_kinds {
	struct kind_rule *v;
	size_t n;
};

struct ctx {
	struct eku_yaml y;        /* the document; its diags are the plan's */
	struct eku_plan *p;
	int nomem;
	struct name_index names;  /* node name -> first node with it */
	struct name_index links;  /* "kind|client|server" -> link index, owns its keys */
	size_t links_cap;
	struct link_kinds kinds;
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
int link_kinds_load(struct link_kinds *lk, json_t *link_kinds) __attribute__((warn_unused_result));
void link_kinds_clear(struct link_kinds *lk);
const struct kind_rule *link_kind_find(const struct link_kinds *lk, const char *id);
/* Does the kind take a link from a client of product cp to a server of sp? */
bool link_kind_fits(const struct kind_rule *k, const struct product *cp, const struct product *sp);
/* "expressway-c -> expressway-e" or "peers of one product", for messages. */
void link_kind_describe(const struct kind_rule *k, char *buf, size_t len);
/* The kinds that fit cp -> sp, joined with ", ". */
void link_kinds_fitting(const struct link_kinds *lk, const struct product *cp, const struct product *sp, char *buf,
	size_t len);

/* inventory_links.c */
long inv_node_index(const struct ctx *c, const char *name);
void inv_parse_links(struct ctx *c, struct fy_node *links, struct eku_pos at);
void inv_imply_cluster_links(struct ctx *c, struct node_raw *raws);

#endif
