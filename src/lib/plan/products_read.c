/* Typed reads for the product loader: each wrong type, unknown key or
 * unknown name becomes a diagnostic with file:line:column and the JSON path,
 * and the caller gets NULL / -1 / a default instead of a guess. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "products_read.h"
#include "yaml/walk.h"

#define MAX_DIAGS 200

/* --- diagnostics ------------------------------------------------------------ */

static void vdiag(struct ld *c, const char *at, bool key, int line, int col, const char *label,
	const char *fmt, va_list ap) __attribute__((format(printf, 7, 0)));
static void vdiag(struct ld *c, const char *at, bool key, int line, int col, const char *label,
	const char *fmt, va_list ap)
{
	struct products *pr = c->pr;
	struct eku_diag proto = { .source = (char *)c->d->source, .code = EKU_E_BAD_DATA, .severity = EKU_DIAG_ERROR };
	char *msg = NULL, *full = NULL;

	if (pr->diags.max == 0)
		pr->diags.max = MAX_DIAGS;
	if (vasprintf(&msg, fmt, ap) < 0) {
		c->nomem = 1;
		return;
	}
	if (at != NULL)
		jsonpos_find(&c->d->pos, at, key, &line, &col);
	proto.line = line;
	proto.column = col;
	if (asprintf(&full, "%s%s%s", label, *label ? ": " : "", msg) < 0)
		full = NULL;
	proto.message = full;
	if (full == NULL || eku_diaglist_add_copy(&pr->diags, &proto) != 0)
		c->nomem = 1;
	free(full);
	free(msg);
}


void pd_diag(struct ld *c, const char *path, bool key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, path, key, 0, 0, path, fmt, ap);
	va_end(ap);
}

void pd_diag_at(struct ld *c, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, NULL, false, line, col, "", fmt, ap);
	va_end(ap);
}

void pd_diag_key(struct ld *c, const char *path, const char *k, const char *fmt, ...)
{
	char at[PATHLEN];
	va_list ap;

	snprintf(at, sizeof(at), "%s%s%s", path, *path ? "." : "", k);
	va_start(ap, fmt);
	vdiag(c, at, true, 0, 0, path, fmt, ap);
	va_end(ap);
}

const char *pd_sub(char out[PATHLEN], const char *base, const char *key)
{
	snprintf(out, PATHLEN, "%s%s%s", base, *base ? "." : "", key);
	return out;
}

const char *pd_idx(char out[PATHLEN], const char *base, size_t i)
{
	/* A longer path is cut short: it only names a place in a diagnostic.
	 * (Testing the result tells GCC the truncation is expected; it warns
	 * once -fvisibility=hidden lets it inline the callers.) */
	if (snprintf(out, PATHLEN, "%s[%zu]", base, i) >= PATHLEN)
		out[PATHLEN - 1] = '\0';
	return out;
}

/* "; did you mean 'needs'?" when a candidate is close, else the list. */
const char *pd_hint(char *buf, size_t len, const char *word, const char *const *cands, size_t n)
{
	const char *near = eku_nearest(word, cands, n);

	if (near != NULL) {
		snprintf(buf, len, "; did you mean '%s'?", near);
		return buf;
	}
	snprintf(buf, len, " (known: ");
	for (size_t i = 0; i < n; i++) {
		strncat(buf, i ? ", " : "", len - strlen(buf) - 1);
		strncat(buf, cands[i], len - strlen(buf) - 1);
	}
	strncat(buf, n ? ")" : "none)", len - strlen(buf) - 1);
	return buf;
}

/* --- typed reads ------------------------------------------------------------- */

const char *pd_tname(json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "true or false";
	default: return "null";
	}
}

void pd_check_keys(struct ld *c, json_t *o, const char *path, const char *const *keys, size_t n)
{
	const char *k;
	json_t *v;
	char h[512];

	json_object_foreach(o, k, v) {
		size_t i = 0;
		while (i < n && strcmp(k, keys[i]) != 0)
			i++;
		if (i == n)
			pd_diag_key(c, path, k, "unknown key '%s'%s", k, pd_hint(h, sizeof(h), k, keys, n));
	}
}

/* Member key of o with type t (JSON_TRUE: a boolean), NULL when absent or
 * of another type (reported). */
json_t *pd_get(struct ld *c, json_t *o, const char *path, const char *key, bool req, json_type t)
{
	char p[PATHLEN];
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		if (req)
			pd_diag(c, path, false, "'%s' is required", key);
		return NULL;
	}
	if (json_typeof(v) != t && !(t == JSON_TRUE && json_is_boolean(v))) {
		pd_diag(c, pd_sub(p, path, key), false, "must be %s, not %s", pd_tname(t), pd_tname(json_typeof(v)));
		return NULL;
	}
	return v;
}

const char *pd_str(struct ld *c, json_t *o, const char *path, const char *key, bool req)
{
	return json_string_value(pd_get(c, o, path, key, req, JSON_STRING));
}

bool pd_bool(struct ld *c, json_t *o, const char *path, const char *key, bool req, bool dflt)
{
	json_t *v = pd_get(c, o, path, key, req, JSON_TRUE);

	return v != NULL ? json_is_true(v) : dflt;
}

/* An array of strings; NULL (reported) when absent or when any item is not
 * a string, so that item i is always at path.key[i]. */
const char **pd_strs(struct ld *c, json_t *o, const char *path, const char *key, bool req, size_t *n)
{
	json_t *a = pd_get(c, o, path, key, req, JSON_ARRAY), *x;
	const char **v;
	char p[PATHLEN], q[PATHLEN];
	size_t i;
	bool ok = true;

	*n = 0;
	if (a == NULL)
		return NULL;
	if ((v = calloc(json_array_size(a) + 1, sizeof(*v))) == NULL) {
		c->nomem = 1;
		return NULL;
	}
	json_array_foreach(a, i, x) {
		if (!json_is_string(x)) {
			pd_diag(c, pd_idx(q, pd_sub(p, path, key), i), false, "must be a string, not %s", pd_tname(json_typeof(x)));
			ok = false;
		}
		v[i] = json_string_value(x);
	}
	if (!ok) {
		free(v);
		return NULL;
	}
	*n = json_array_size(a);
	return v;
}

/* Index of s in vals, or -1 (reported at path). */
int pd_one_of(struct ld *c, const char *path, const char *s, const char *const *vals, size_t n,
	const char *what)
{
	char h[512];

	for (size_t i = 0; i < n; i++)
		if (strcmp(s, vals[i]) == 0)
			return (int)i;
	pd_diag(c, path, false, "unknown %s '%s'%s", what, s, pd_hint(h, sizeof(h), s, vals, n));
	return -1;
}

int pd_band_of(struct ld *c, const char *path, const char *id, const struct family *f)
{
	char list[512] = "";

	for (size_t i = 0; i < f->n_bands; i++) {
		if (strcmp(f->bands[i].id, id) == 0)
			return (int)i;
		/* Band ids differ by a digit: name them all, not the nearest. */
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, f->bands[i].id, sizeof(list) - strlen(list) - 1);
	}
	pd_diag(c, path, false, "unknown band '%s' of family '%s' (its bands: %s)", id, f->id, list);
	return -1;
}

/* A band id (fixed_in, separate_client_cert_from): index, -1 when absent. */
int pd_band_ref(struct ld *c, json_t *o, const char *path, const char *key, const struct family *f)
{
	const char *s = pd_str(c, o, path, key, false);
	char p[PATHLEN];

	if (s == NULL || c->family_unknown)
		return -1;
	if (f == NULL) {
		pd_diag_key(c, path, key, "'%s' names a band, but the product has no family", key);
		return -1;
	}
	return pd_band_of(c, pd_sub(p, path, key), s, f);
}

/* "bands": a set of band ids. false when absent (every band). */
bool pd_band_set(struct ld *c, json_t *o, const char *path, const struct family *f, uint32_t *mask)
{
	size_t n = 0;
	const char **v = pd_strs(c, o, path, "bands", false, &n);
	char p[PATHLEN], q[PATHLEN];
	int b;

	*mask = 0;
	if (json_object_get(o, "bands") == NULL)
		return false;
	/* A misspelt family is reported once, not at every band it hides. */
	if (f == NULL && !c->family_unknown)
		pd_diag_key(c, path, "bands", "'bands' names bands, but the product has no family");
	else if (f != NULL && v != NULL && n == 0)
		pd_diag(c, pd_sub(p, path, "bands"), false, "an empty band list never applies; drop it for every band");
	for (size_t i = 0; f != NULL && v != NULL && i < n; i++)
		if ((b = pd_band_of(c, pd_idx(q, pd_sub(p, path, "bands"), i), v[i], f)) >= 0)
			*mask |= 1u << b;
	free(v);
	return true;
}

