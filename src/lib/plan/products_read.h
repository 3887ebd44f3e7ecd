/* Internal to the product loader: the documents being loaded and the typed
 * reads that report a problem (file:line:column, JSON path, nearest valid
 * spelling) instead of guessing. Shared by products.c and products_load.c. */
#ifndef EKU_PLAN_PRODUCTS_READ_H
#define EKU_PLAN_PRODUCTS_READ_H

#include <stdbool.h>

#include <jansson.h>

#include "jsonpos.h"
#include "products.h"

#define PATHLEN 256

struct doc {
	char *source;            /* as shown in messages: the path read, or the name */
	json_t *j;               /* borrowed from products.docs */
	struct jsonpos pos;
};

struct ld {
	struct products *pr;
	struct doc *docs;
	size_t n_docs;
	struct doc *d;           /* the document being checked */
	bool family_unknown;     /* the product's family is misspelt (reported): its bands cannot be read */
	int nomem;
};

/* A problem with the value at path (key: point at its key instead). */
void pd_diag(struct ld *c, const char *path, bool key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A problem at an explicit position of the current document (syntax). */
void pd_diag_at(struct ld *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A problem with key k of the object at path: positioned on the key. */
void pd_diag_key(struct ld *c, const char *path, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *pd_sub(char out[PATHLEN], const char *base, const char *key);
const char *pd_idx(char out[PATHLEN], const char *base, size_t i);
const char *pd_tname(json_type t);
/* "; did you mean 'needs'?" when a candidate is close, else " (known: ...)". */
const char *pd_hint(char *buf, size_t len, const char *word, const char *const *cands, size_t n);

/* Unknown keys of o, each with the nearest of keys. */
void pd_check_keys(struct ld *c, json_t *o, const char *path, const char *const *keys, size_t n);
/* Member key of o with type t (JSON_TRUE: a boolean), NULL when absent
 * (reported when req) or of another type (reported). */
json_t *pd_get(struct ld *c, json_t *o, const char *path, const char *key, bool req, json_type t);
const char *pd_str(struct ld *c, json_t *o, const char *path, const char *key, bool req);
bool pd_bool(struct ld *c, json_t *o, const char *path, const char *key, bool req, bool dflt);
/* An array of strings (malloc'd, strings borrowed); NULL when absent or when
 * any item is not a string, so that item i is always at path.key[i]. */
const char **pd_strs(struct ld *c, json_t *o, const char *path, const char *key, bool req, size_t *n);
/* Index of s in vals, or -1 (reported at path as "unknown WHAT"). */
int pd_one_of(struct ld *c, const char *path, const char *s, const char *const *vals, size_t n,
	const char *what);
int pd_band_of(struct ld *c, const char *path, const char *id, const struct family *f);
/* A band id (fixed_in, separate_client_cert_from): its index, -1 when absent. */
int pd_band_ref(struct ld *c, json_t *o, const char *path, const char *key, const struct family *f);
/* "bands": a set of band ids as a mask; false when absent (every band). */
bool pd_band_set(struct ld *c, json_t *o, const char *path, const struct family *f, uint32_t *mask);

/* products.c: one part of the model each. */
void pd_parse_family(struct ld *c, const char *id, json_t *o, const char *path, struct family *f);
void pd_parse_link_kind(struct ld *c, const char *id, json_t *o, const char *path, struct link_kind *k);
void pd_parse_product(struct ld *c, json_t *o, const char *path, struct product *p);
/* The kinds of rule records (which keys each takes: products.c rule_keys). */
enum rk { RK_RULE = 1, RK_UNIVERSAL = 2, RK_UPLOAD = 4, RK_STORE = 8, RK_ALL = 15 };
struct prod_rule *pd_parse_rules(struct ld *c, const struct product *prod, json_t *o, const char *path,
	const char *key, bool req, enum rk kind, size_t *n);
void pd_free_rules(struct prod_rule *v, size_t n);

#endif
