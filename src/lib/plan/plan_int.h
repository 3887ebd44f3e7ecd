/* Internal state of eku_plan: the parsed inventory, product profiles and
 * results. Shared by inventory.c (YAML), plan.c (loading), the judge files
 * and report.c (JSON). The product model is in products.h. */
#ifndef EKU_PLAN_INT_H
#define EKU_PLAN_INT_H

#include <jansson.h>

#include <eku/cert.h>
#include <eku/plan.h>
#include <eku/timeline.h>
#include <eku/trust.h>

#include "../hash.h"
#include "products.h"

struct inv_node {
	char *name;
	int line, col;
	const struct product *prod;
	char *version;
	int band;                /* index into prod->family->bands, -1 when unversioned */
	json_t *settings;        /* name -> value, defaults filled in */
	eku_strv cluster;
	char *server_spec, *client_spec;  /* as written */
	bool server_remote, client_remote;
	/* leaf first, then its chain; borrowed from eku_plan.certfiles */
	eku_certlist *server_certs, *client_certs;
	bool acme;
	char *acme_ca, *acme_profile;
};

struct inv_link {
	char *kind;
	size_t client, server;   /* node indexes */
	char *tls_verify;        /* on | off | permissive */
	bool implied;            /* from cluster: */
	int line, col;
};

struct inv_root {
	char *file;
	char *vendor;
};

/* A host:port certificate the caller read live (live.c): set through
 * eku_plan_set_endpoint_chain / _failure, kept across runs, cleared by the
 * next load. */
struct plan_live {
	size_t node;             /* index into nodes */
	bool client;             /* the node's client certificate, else its server one */
	eku_certlist *chain;     /* leaf first; NULL when reading failed */
	int64_t read_at;
	char *source;            /* where it was read from, or NULL */
	char *failure, *message; /* failure class and detail; NULL when read */
};

/* An upgrade some findings need, before merging per upgrade group: the
 * highest band needed covers the lower ones once it is released. A version
 * mismatch is an upgrade of the older node to the newer one's version. */
struct plan_upgrade {
	size_t group;                /* index into eku_plan.groups, SIZE_MAX when none */
	const struct inv_node *node; /* the node it is for: its group upgrades with it */
	const struct family *family;
	const struct product *prod;  /* a product of the family (bands, labels) */
	int band;
	int64_t by, released;        /* released: 0 when unknown */
	const char *to_version;      /* mismatch only: the newer version */
	const struct inv_node *older;/* mismatch only */
	eku_strv finding_ids;
	bool folded;                 /* merged into a higher band's action */
	char *covers;                /* labels of the bands it covers, or NULL */
};

struct eku_plan {
	eku_error err;
	char *data_dir;
	int64_t at;
	bool at_set, assume_renewed;
	int64_t now;             /* the present: see eku_plan_set_now() */
	bool now_set;
	char *system_bundle;
	bool system_bundle_set;

	eku_timeline *timeline;
	struct products prods;
	json_t *vendors;         /* ca-vendors.json "vendors" */
	json_t *alt_roots;       /* alt-roots.json "roots" */
	eku_trust *trust;

	char *source, *base_dir, *deployment;
	int64_t inv_at;
	bool inv_at_set;
	struct inv_node *nodes;
	size_t n_nodes;
	struct inv_link *links;
	size_t n_links;
	struct inv_root *public_roots;
	size_t n_public_roots;
	eku_strv private_roots;
	char *eku_ca_dir;        /* an `eku ca` directory among private_roots, as written, or NULL */
	eku_diaglist diags;      /* inventory problems, every one an error */
	eku_hmap *node_idx;      /* node name -> index */
	eku_certlist **certfiles;/* one per distinct certificate file */
	size_t n_certfiles, cap_certfiles;
	eku_hmap *certfile_idx;  /* resolved path -> index into certfiles */

	struct eku_finding *findings;
	size_t n_findings, cap_findings;
	struct eku_action *actions;
	size_t n_actions, cap_actions;
	eku_hmap *action_idx;    /* action text -> index into actions */
	struct plan_upgrade *upgrades;
	size_t n_upgrades, cap_upgrades;
	eku_hmap *upgrade_idx;   /* (group, band, version, older) -> index into upgrades */
	eku_hmap *listed;        /* (list, index, finding id): finding_ids without repeats */
	struct eku_upgrade_group *groups;
	size_t n_groups;
	size_t *node_group;      /* node index -> group index, SIZE_MAX when in none */
	eku_strv unread;
	struct plan_live *live;  /* live.c */
	size_t n_live;
	json_t *chart;           /* chart.c: certificates and dated rules, per run */
};

/* inventory.c */
int plan_inventory_parse(struct eku_plan *p, const char *source, const char *yaml, size_t len)
	__attribute__((warn_unused_result));
void plan_inventory_clear(struct eku_plan *p);

/* live.c */
void plan_live_clear(struct eku_plan *p);
/* The live record of a node's server (client false) or client certificate,
 * or NULL when none was set. */
const struct plan_live *plan_live_find(const struct eku_plan *p, const struct inv_node *n, bool client);
json_t *plan_live_json(const struct eku_plan *p);
/* The node named name, -1 when none. O(1). */
long plan_node_find(const struct eku_plan *p, const char *name);

/* groups.c */
/* Upgrade groups: the nodes that must run the same version, so upgrade
 * together (union-find over cluster: and the C->E link kinds). Once per run. */
int plan_groups_build(struct eku_plan *p) __attribute__((warn_unused_result));
void plan_groups_clear(struct eku_plan *p);
/* The group's name, or the node's own name when it is in no group. */
const char *plan_group_name(const struct eku_plan *p, const struct inv_node *n);
/* Grows *v (of *cap elements of size sz) geometrically to hold n + 1. */
int plan_grow(void **v, size_t *cap, size_t n, size_t sz) __attribute__((warn_unused_result));

/* plan.c */
void plan_results_clear(struct eku_plan *p);

#endif
