/* yaml/walk.h - the one YAML walker of libeku (internal): load a document
 * from memory, positions of nodes, a mapping checked against a table of
 * known keys, typed scalar readers. The plan inventory (src/lib/plan/) and
 * the gateway configuration (src/gateway/config.c) both read YAML through
 * it, so they accept the same spellings and report problems the same way:
 * into an eku_diaglist, with file:line:column, every problem in one pass,
 * an unknown key or value with the nearest valid spelling.
 *
 * Booleans: true/false, yes/no, on/off in any case ("True", "YES", "Off").
 * YAML 1.2's core schema has only true/false; the YAML 1.1 words are
 * accepted because operators write them and both readers always did, and
 * case does not matter because "True" meaning something else than "true"
 * would surprise everyone.
 *
 * Duplicate keys: libfyaml refuses a document with the same key twice
 * (a "YAML syntax error: duplicate key" at the second one); the walker
 * checks again so a table never sees a key twice.
 *
 * Not locked: one thread per struct eku_yaml.
 */
#ifndef EKU_YAML_WALK_H
#define EKU_YAML_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libfyaml.h>

#include <eku/diag.h>
#include <eku/util.h>

/* A position in the text: 1-based; 0 when unknown. */
struct eku_pos {
	int line, col;
};

/* One document being read, and where its problems go. */
struct eku_yaml {
	eku_diaglist *diags;       /* borrowed */
	struct fy_document *doc;   /* owned, from eku_yaml_load */
	struct fy_diag *fyd;       /* owned: libfyaml's error collector, which the document uses */
	bool nomem;                /* a diag or a copy could not be allocated */
};

/* Parses text[0..len) into y->doc, after checking it is UTF-8 without NUL
 * (eku_utf8_check: libfyaml 0.7 can loop forever on invalid UTF-8 inside a
 * directive). diags is borrowed for y's lifetime; its source names the file;
 * a list without a cap gets EKU_DIAGLIST_YAML_MAX. *root is the document's
 * root, NULL for a document without content. Returns 0, or -1 with a diag
 * (not UTF-8, the first YAML syntax error) or y->nomem set. */
int eku_yaml_load(struct eku_yaml *y, eku_diaglist *diags, const char *text, size_t len,
	struct fy_node **root) __attribute__((warn_unused_result));
/* Frees the document; y's nodes are invalid afterwards. Call it after
 * eku_yaml_load whatever that returned. */
void eku_yaml_close(struct eku_yaml *y);

/* A diag at p in d's default source (eku_diaglist_add_at with a position).
 * Returns 0, or -1 on allocation failure. */
int eku_diag_at(eku_diaglist *d, enum eku_diag_severity sev, enum eku_errcode code, struct eku_pos p,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* An error at p. Returns 0 or -1 (and y->nomem) on allocation failure. */
int eku_yaml_diag(struct eku_yaml *y, struct eku_pos p, enum eku_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* libfyaml 0.7 has marks on tokens only: a scalar's is its own, a mapping
 * or list borrows its first entry's; fallback for NULL and empty ones. */
struct eku_pos eku_yaml_pos(struct fy_node *n, struct eku_pos fallback);

/* ---- mappings against a table of keys ---------------------------------- */

struct eku_yaml_key;
/* Reads v, the value of key k in a mapping, into obj. at: the key's
 * position, for diags about a missing or empty value. */
typedef void (*eku_yaml_key_fn)(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj,
	struct fy_node *v, struct eku_pos at);
struct eku_yaml_key {
	const char *name;
	eku_yaml_key_fn fn;
	size_t off;                /* the typed readers below: the field at obj + off */
	bool required;
	const void *arg;           /* the handler's own data */
};
#define EKU_YAML_MAX_KEYS 64

/* Checks m against keys[0..n) (n <= EKU_YAML_MAX_KEYS) and calls each
 * present key's handler in document order. Reports, at their positions: m
 * not a mapping ("WHERE: expected a mapping"), a key that is not plain
 * text, an unknown key with the nearest spelling or the valid ones, a key
 * twice, a required key missing (at m's first key). where names m in
 * messages ("inventory", "route 2"). */
void eku_yaml_walk_map(struct eku_yaml *y, struct fy_node *m, struct eku_pos at, const char *where,
	const struct eku_yaml_key *keys, size_t n, void *obj);

/* Typed key handlers for tables: the field at obj + k->off. */
void eku_yaml_key_str(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at);        /* char *, replaced */
void eku_yaml_key_strv(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at);        /* eku_strv, appended: one value or a list */
void eku_yaml_key_bool(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at);        /* bool */
void eku_yaml_key_uint(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at);        /* unsigned, 0..UINT32_MAX */
void eku_yaml_key_size(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at);        /* size_t */

/* ---- scalars ------------------------------------------------------------ */

/* A scalar's text, borrowed from the document, or NULL with a diag naming
 * what: no value ("WHAT: a value is required"), a mapping or list, or text
 * with a NUL (a "\0" escape). */
const char *eku_yaml_scalar(struct eku_yaml *y, struct fy_node *v, struct eku_pos at, const char *what);
/* The same, copied (the caller frees it); NULL with y->nomem when the copy
 * fails. */
char *eku_yaml_dup(struct eku_yaml *y, struct fy_node *v, struct eku_pos at, const char *what);
/* The spellings of the header comment. Returns 0, or -1 when s is none. */
int eku_yaml_bool_parse(const char *s, bool *out) __attribute__((warn_unused_result));
/* A boolean value. Returns 0, or -1 with a diag and *out unchanged (the
 * caller's default stands, so callers may ignore the result). */
int eku_yaml_bool(struct eku_yaml *y, struct fy_node *v, struct eku_pos at, const char *what, bool *out);
/* A decimal integer in [min, max]. Returns 0, or -1 with a diag. */
int eku_yaml_uint(struct eku_yaml *y, struct fy_node *v, struct eku_pos at, const char *what,
	unsigned long long min, unsigned long long max, unsigned long long *out)
	__attribute__((warn_unused_result));
/* One value or a list of values, each copied onto sv. Returns 0, or -1
 * after a diag for each bad one (the good ones are kept). */
int eku_yaml_strv(struct eku_yaml *y, struct fy_node *v, struct eku_pos at, const char *what, eku_strv *sv);

/* ---- spelling ----------------------------------------------------------- */

/* Case-insensitive Levenshtein distance; (size_t)-1 past 62 characters. */
size_t eku_distance(const char *a, const char *b);
/* The candidate closest to word, or NULL when none is within a third of
 * its length plus two edits. */
const char *eku_nearest(const char *word, const char *const *cands, size_t n);
/* Appends "a, b, c" to buf (truncating). */
void eku_join(char *buf, size_t len, const char *const *v, size_t n);
/* Is v one of allowed? If not, a diag at at: "WHAT: unknown value 'V'"
 * with the nearest spelling or the valid ones. */
bool eku_yaml_one_of(struct eku_yaml *y, struct eku_pos at, const char *what, const char *v,
	const char *const *allowed, size_t n);
/* "unknown key 'KEY' in WHERE" with the nearest of keys or the valid ones. */
void eku_yaml_unknown_key(struct eku_yaml *y, struct eku_pos at, const char *where, const char *key,
	const char *const *keys, size_t n);

#endif
