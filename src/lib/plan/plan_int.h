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

/* An upgrade some findings need, before merging per family: the highest
 * band needed covers the lower ones once it is released. A version mismatch
 * is an upgrade of the older node to the newer one's version. */
struct plan_upgrade {
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
	struct eku_plan_diag *diags;
	size_t n_diags;

	struct eku_finding *findings;
	size_t n_findings;
	struct eku_action *actions;
	size_t n_actions;
	struct plan_upgrade *upgrades;
	size_t n_upgrades;
	eku_strv unread;
};

/* inventory.c */
int plan_inventory_parse(struct eku_plan *p, const char *source, const char *yaml, size_t len)
	__attribute__((warn_unused_result));
void plan_inventory_clear(struct eku_plan *p);
int plan_diag_add(struct eku_plan *p, int line, int col, enum eku_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The candidate closest to word by edit distance, or NULL when none is close. */
const char *plan_nearest(const char *word, const char *const *cands, size_t n);

/* plan.c */
void plan_results_clear(struct eku_plan *p);

#endif
