/* Internal state of eku_plan: the parsed inventory, product profiles and
 * results. Shared by inventory.c (YAML), plan_products.c, plan.c (the
 * judge) and plan_report.c (JSON). */
#ifndef EKU_PLAN_INT_H
#define EKU_PLAN_INT_H

#include <jansson.h>

#include <eku/cert.h>
#include <eku/plan.h>
#include <eku/timeline.h>
#include <eku/trust.h>

struct product {
	const char *id;
	json_t *j;       /* the product object */
	json_t *bands;   /* its family's version bands, or NULL */
	json_t *family;  /* the family object, or NULL */
};

struct products {
	json_t *docs;            /* array of the loaded documents */
	struct product *v;
	size_t n;
	json_t *link_kinds;      /* object kind -> description */
	json_t *universal_rules; /* array */
};

struct inv_node {
	char *name;
	int line, col;
	const struct product *prod;
	char *version;
	int band;                /* index into prod->bands, -1 when unversioned */
	json_t *settings;        /* name -> value, defaults filled in */
	eku_strv cluster;
	char *server_spec, *client_spec;  /* as written */
	bool server_remote, client_remote;
	eku_certlist *server_certs, *client_certs; /* leaf first, then its chain */
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

/* An upgrade some findings need, before merging per family: the highest
 * band needed covers the lower ones once it is released. A version mismatch
 * is an upgrade of the older node to the newer one's version. */
struct plan_upgrade {
	json_t *family;
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
	eku_diaglist diags;      /* inventory problems, every one an error */

	struct eku_finding *findings;
	size_t n_findings;
	struct eku_action *actions;
	size_t n_actions;
	struct plan_upgrade *upgrades;
	size_t n_upgrades;
	eku_strv unread;
	struct plan_live *live;  /* live.c */
	size_t n_live;
};

/* plan_products.c */
int plan_products_load(struct eku_plan *p) __attribute__((warn_unused_result));
void plan_products_clear(struct products *pr);
const struct product *plan_product_find(const struct products *pr, const char *id);
/* Band index of a version string ("X15.3.2") in the product's family, -1
 * when outside every band, -2 when not a version at all. */
int plan_product_band(const struct product *prod, const char *version);
/* Orders "X15.3.2" before "X15.4"; strcmp for anything else. */
int plan_version_cmp(const char *a, const char *b);
const char *plan_band_id(const struct product *prod, int band);
const char *plan_band_label(const struct product *prod, int band);
int plan_band_index(const struct product *prod, const char *band_id);
json_t *plan_setting_def(const struct product *prod, const char *name);

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

/* plan.c */
void plan_results_clear(struct eku_plan *p);

#endif
