/* Internal: the product model (data/products/ files) as typed, validated
 * structures: families with version bands, products with their settings and
 * rules, link kinds. The planner reads these fields; it never looks a key up
 * by string in the JSON.
 *
 * Ownership: strings are borrowed from the JSON documents, which the model
 * keeps alive (struct products.docs) until plan_products_clear(). Arrays are
 * allocated once per load, so pointers between entries (product -> family,
 * rule -> setting) stay valid for the model's lifetime. Read-only after a
 * successful load. */
#ifndef EKU_PLAN_PRODUCTS_H
#define EKU_PLAN_PRODUCTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <eku/diag.h>
#include <eku/error.h>
#include <eku/plan.h>

/* Limits that let band and link-kind sets be bit masks. */
#define PM_MAX_BANDS 32
#define PM_MAX_LINK_KINDS 64

/* A version range of a family: "X15.4.0" to "X15.4.99" (to open-ended when
 * has_to is false). */
struct band {
	const char *id, *label;
	const char *from, *to;   /* as written; to is NULL when open-ended */
	long from_v[3], to_v[3];
	bool has_to;
	int64_t released;        /* UTC instant; 0 when the data gives none (an old band) */
	const char *released_note; /* NULL when absent */
};

/* Products released together on one version line (Expressway-C and -E). */
struct family {
	const char *id, *name;
	const char *version_pattern; /* "X<major>.<minor>[.<patch>]", NULL when not given */
	struct band *bands;
	size_t n_bands;
	const char *same_version_source; /* NULL when the family has no same_version list */
};

enum rule_side { RULE_SERVER, RULE_CLIENT };

/* Certificate purposes a rule needs (bit mask). */
#define NEED_SERVER_AUTH 1u
#define NEED_CLIENT_AUTH 2u

/* A product setting (settings in the inventory): allowed values, default,
 * the bands it exists in, values that need another setting. */
struct setting_req {
	const char *value;             /* when this setting has this value ... */
	const struct setting *other;   /* ... this other setting */
	const char *other_value;       /* ... must have this value */
	const char *why;
};

struct setting {
	const char *name, *what, *dflt;
	const char **values;
	size_t n_values;
	bool all_bands;          /* no "bands": the setting exists in every band */
	uint32_t bands;          /* bit i: band i of the product's family */
	struct setting_req *reqs;
	size_t n_reqs;
};

/* "when": the rule applies when the setting has one of the values; as
 * "unless" (upload rules) a single value that makes the rule not apply. */
struct setting_match {
	const struct setting *setting;
	const char **values;
	size_t n_values;
};

/* One behaviour of a product: on links of these kinds, in these bands, with
 * these settings, the node on `side` checks the certificate of `checks` for
 * `needs`. Upload and client-store rules use the same record with fewer
 * fields (see products_load.c for which keys each kind takes). */
struct prod_rule {
	const char *id;          /* NULL for a client_store rule */
	enum rule_side side, checks;
	unsigned needs;          /* NEED_* */
	bool all_links;          /* "links": ["*"] */
	uint64_t links;          /* bit i: link kind i */
	bool all_bands;          /* no "bands": every band, and unversioned nodes */
	uint32_t bands;
	struct setting_match *when, *unless;
	size_t n_when, n_unless;
	bool tls_verify_ignore;  /* checked whatever the link's tls_verify says */
	int fixed_in;            /* band index that removes the rule, -1 when none */
	const char *fix;         /* "" when absent */
	const char *fix_setting; /* NULL when absent */
	const char *explain, *source;
	const char *reason;      /* extra reason code, NULL when none */
};

struct link_kind {
	unsigned index;          /* bit in prod_rule.links */
	const char *id, *what;
	bool private_pki_ok;     /* false: the peer trusts public CAs only */
	/* Which products may sit at each end (client_products / server_products;
	 * none listed: any product), and same_product for links between peers of
	 * one product. The names are checked against the products at load. */
	const char **client_names, **server_names;
	const struct product **clients, **servers;
	size_t n_clients, n_servers;
	bool same_product;
	/* Both ends are products of one family that must run the same version
	 * (Expressway-C -> -E): an upgrade of either end is an upgrade of both. */
	bool ties_versions;
	const char *tls_verify_setting; /* cluster links: the accepting node's setting ... */
	const char **tv_modes, **tv_values; /* ... mapped to tls_verify on|off|permissive */
	size_t n_tv;
};

struct product {
	const char *id, *name;
	const struct family *family;   /* NULL when unversioned */
	bool same_version;       /* in its family's same_version list */
	struct setting *settings;
	size_t n_settings;
	int separate_client_cert_from; /* band index, -1 when never */
	bool private_pki_ok;
	const char *private_pki_why;
	bool assumed;            /* behaviour assumed, not documented */
	struct prod_rule *upload;
	size_t n_upload;
	struct prod_rule *client_store; /* NULL when none */
	struct prod_rule *rules;
	size_t n_rules;
};

struct products {
	json_t *docs;            /* array: the documents every string points into */
	const char *schema;      /* the product files' format ("eku-products/1"), NULL before a load */
	struct family *families;
	size_t n_families;
	struct product *v;
	size_t n;
	struct link_kind *kinds;
	size_t n_kinds;
	struct prod_rule *universal; /* rules of every link, whatever the products */
	size_t n_universal;
	/* Problems found by the last load, every one (source is the file). */
	eku_diaglist diags;
};

/* products.c: loading. dir: a --data-dir (NULL: $EKU_DATA_DIR, else the
 * embedded copy). Returns 0, or -1 with every problem in pr->diags, or with
 * err set (I/O, memory) when the files could not be read at all. */
int plan_products_load(struct products *pr, const char *dir, eku_error *err)
	__attribute__((warn_unused_result));
/* The same from memory: names[i] is the file name index.json lists
 * (diagnostics use it), bufs[i] its text. For tests and tools. */
int plan_products_load_mem(struct products *pr, size_t n, const char *const *names,
	const char *const *bufs, eku_error *err) __attribute__((warn_unused_result));
void plan_products_clear(struct products *pr);

/* products_query.c */
const struct product *plan_product_find(const struct products *pr, const char *id);
const struct link_kind *plan_link_kind_find(const struct products *pr, const char *id);
/* The tls_verify a mode of kind->tls_verify_setting maps to, NULL when none. */
const char *plan_link_kind_tls_verify(const struct link_kind *k, const char *mode);
const struct setting *plan_setting_def(const struct product *prod, const char *name);
bool plan_setting_in_band(const struct setting *s, int band);
/* May cp initiate a link of kind k that sp accepts? */
bool plan_link_kind_fits(const struct link_kind *k, const struct product *cp, const struct product *sp);
/* Band index of a version string ("X15.3.2") in the product's family, -1
 * when outside every band, -2 when not a version at all. */
int plan_product_band(const struct product *prod, const char *version);
/* Orders "X15.3.2" before "X15.4"; strcmp for anything else. */
int plan_version_cmp(const char *a, const char *b);
/* "X15.3.2" -> 15, 3, 2; "X15.4" -> 15, 4, 0. -1 when not a version. */
int plan_version_parse(const char *s, long v[3]);
int plan_version_vcmp(const long a[3], const long b[3]);
const char *plan_band_label(const struct product *prod, int band);
int plan_band_index(const struct product *prod, const char *band_id);
/* Does the rule list the band (-1: unversioned node)? */
bool plan_rule_in_band(const struct prod_rule *r, int band);

#endif
