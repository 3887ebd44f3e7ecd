/* The YAML side of the inventory reader: diagnostics, "did you mean",
 * positions and a small table-driven walker over libfyaml nodes. Every
 * problem is collected with file:line:column and, where one is close, the
 * nearest valid spelling, so an operator fixes the whole file in one pass
 * (HAProxy / acme-client habit, STYLE.md 7). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_int.h"

#define MAX_DIAGS 200

int plan_diag_add(struct eku_plan *p, int line, int col, enum eku_errcode code, const char *fmt, ...)
{
	struct eku_plan_diag *nv;
	va_list ap;
	char *msg = NULL;
	int n;

	if (p->n_diags >= MAX_DIAGS)
		return 0;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	nv = n < 0 ? NULL : realloc(p->diags, (p->n_diags + 1) * sizeof(*nv));
	if (nv == NULL) {
		if (n >= 0)
			free(msg);
		return -1;
	}
	p->diags = nv;
	nv[p->n_diags].source = strdup(p->source ? p->source : "-");
	nv[p->n_diags].line = line;
	nv[p->n_diags].column = col;
	nv[p->n_diags].code = code;
	nv[p->n_diags].message = msg;
	p->n_diags++;
	return 0;
}

/* Levenshtein distance, small strings only (keys, names, versions). */
size_t plan_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			tmp = row[j];
			row[j] = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			if (prev + cost < row[j])
				row[j] = prev + cost;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *plan_nearest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, limit = strlen(word) / 3 + 2;

	for (size_t i = 0; i < n; i++) {
		size_t d = plan_distance(word, cands[i]);
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

void inv_join(char *buf, size_t len, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strncat(buf, buf[0] != '\0' ? ", " : "", len - strlen(buf) - 1);
		strncat(buf, v[i] ? v[i] : "?", len - strlen(buf) - 1);
	}
}

/* --- positions ------------------------------------------------------------ */

struct pos inv_pos(struct fy_node *n, struct pos fallback)
{
	struct pos r = fallback;
	const struct fy_mark *m;
	void *it = NULL;

	if (n == NULL)
		return r;
	if (fy_node_is_scalar(n) || fy_node_is_alias(n)) {
		m = fy_token_start_mark(fy_node_get_scalar_token(n));
		if (m != NULL) {
			r.line = m->line + 1;
			r.col = m->column + 1;
		}
	} else if (fy_node_is_mapping(n)) {
		struct fy_node_pair *pr = fy_node_mapping_iterate(n, &it);
		if (pr != NULL)
			r = inv_pos(fy_node_pair_key(pr), fallback);
	} else if (fy_node_is_sequence(n)) {
		r = inv_pos(fy_node_sequence_iterate(n, &it), fallback);
	}
	return r;
}

/* --- a small table-driven walker ------------------------------------------- */

void inv_unknown_key(struct ctx *c, struct pos ps, const char *where, const char *key,
	const char *const *keys, size_t n)
{
	const char *near = plan_nearest(key, keys, n);
	char list[256] = "";

	inv_join(list, sizeof(list), keys, n);
	if (near != NULL)
		DIAG(c, ps, EKU_E_BAD_CONFIG, "unknown key '%s' in %s; did you mean '%s'?", key, where, near);
	else
		DIAG(c, ps, EKU_E_BAD_CONFIG, "unknown key '%s' in %s (valid: %s)", key, where, list);
}

const char *inv_scalar(struct ctx *c, struct fy_node *v, struct pos at, const char *what)
{
	if (v == NULL || fy_node_is_null(v)) {
		DIAG(c, at, EKU_E_BAD_CONFIG, "%s: a value is required", what);
		return NULL;
	}
	if (!fy_node_is_scalar(v)) {
		DIAG(c, inv_pos(v, at), EKU_E_BAD_CONFIG, "%s: expected a single value, found a %s", what,
			fy_node_is_mapping(v) ? "mapping" : "list");
		return NULL;
	}
	return fy_node_get_scalar0(v);
}

char *inv_dup(struct ctx *c, struct fy_node *v, struct pos at, const char *what)
{
	const char *s = inv_scalar(c, v, at, what);
	char *d = s != NULL ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		c->nomem = 1;
	return d;
}

int inv_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "True", "TRUE", "Yes", "On" };
	static const char *const no[] = { "false", "no", "off", "False", "FALSE", "No", "Off" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0)
			return *out = true, 0;
		if (strcmp(s, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

bool inv_one_of(struct ctx *c, struct pos at, const char *what, const char *v,
	const char *const *allowed, size_t n)
{
	const char *near;
	char list[256] = "";

	for (size_t i = 0; i < n; i++)
		if (strcmp(v, allowed[i]) == 0)
			return true;
	inv_join(list, sizeof(list), allowed, n);
	near = plan_nearest(v, allowed, n);
	if (near != NULL)
		DIAG(c, at, EKU_E_BAD_CONFIG, "%s: unknown value '%s'; did you mean '%s'?", what, v, near);
	else
		DIAG(c, at, EKU_E_BAD_CONFIG, "%s: unknown value '%s' (valid: %s)", what, v, list);
	return false;
}

void inv_walk_map(struct ctx *c, struct fy_node *m, struct pos at, const char *where,
	const struct key_def *defs, size_t n, void *obj)
{
	const char *names[16];
	struct fy_node_pair *pr;
	void *it = NULL;

	for (size_t i = 0; i < n && i < 16; i++)
		names[i] = defs[i].name;
	if (m == NULL || !fy_node_is_mapping(m)) {
		DIAG(c, inv_pos(m, at), EKU_E_BAD_CONFIG, "%s: expected a mapping (key: value)", where);
		return;
	}
	while ((pr = fy_node_mapping_iterate(m, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(pr);
		struct pos kp = inv_pos(k, at);
		const char *key = k != NULL && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : "";
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(defs[i].name, key) == 0)
				break;
		if (i == n)
			inv_unknown_key(c, kp, where, key, names, n);
		else
			defs[i].fn(c, obj, fy_node_pair_value(pr), kp);
	}
}

