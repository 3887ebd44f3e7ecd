/* The shared YAML walker (yaml/walk.h): loading a document with its syntax
 * errors captured as diags, positions, mappings checked against key tables,
 * and the nearest spelling of an unknown key or value. The typed scalar
 * readers are in scalar.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml/walk.h"

int eku_diag_at(eku_diaglist *d, enum eku_diag_severity sev, enum eku_errcode code, struct eku_pos p,
	const char *fmt, ...)
{
	struct eku_diag proto = { .line = p.line, .column = p.col, .code = code, .severity = sev };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = eku_diaglist_vadd(d, &proto, fmt, ap);
	va_end(ap);
	return rc;
}

int eku_yaml_diag(struct eku_yaml *y, struct eku_pos p, enum eku_errcode code, const char *fmt, ...)
{
	struct eku_diag proto = { .line = p.line, .column = p.col, .code = code };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = eku_diaglist_vadd(y->diags, &proto, fmt, ap);
	va_end(ap);
	if (rc != 0)
		y->nomem = true;
	return rc;
}

/* ---- loading -------------------------------------------------------------- */

/* libfyaml collects its errors with 1-based positions. Only the first is
 * reported: the parser stops there, and what follows would be noise. */
static void syntax_error(struct eku_yaml *y, struct fy_diag *fyd)
{
	void *it = NULL;
	struct fy_diag_error *e = fy_diag_errors_iterate(fyd, &it);

	if (e != NULL)
		eku_yaml_diag(y, (struct eku_pos){ e->line, e->column }, EKU_E_BAD_CONFIG,
			"YAML syntax error: %s", e->msg);
	else
		eku_yaml_diag(y, (struct eku_pos){ 1, 1 }, EKU_E_BAD_CONFIG, "YAML syntax error: cannot parse");
}

/* Blank lines and comments only: libfyaml builds no document from that. */
static bool no_content(const char *text, size_t len)
{
	bool line_start = true, in_comment = false;

	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (ch == '\n') {
			line_start = true;
			in_comment = false;
		} else if (in_comment || ch == ' ' || ch == '\t' || ch == '\r') {
			continue;
		} else if (ch == '#' && line_start) {
			in_comment = true;
		} else {
			return false;
		}
	}
	return true;
}

/* libfyaml 0.7.12 (Debian 12) crashes in its error cleanup on an explicit
 * key whose content holds a tab: "? a:<TAB>:", "k:\n  ? a:<TAB>:",
 * ": ? ::<TAB>:", "- a! ? a:<TAB>:" (found by fuzz_serve_config). Such
 * text is refused before libfyaml sees it: a '?' standing alone (a blank or
 * a line break, or the text's edge, on both sides: the explicit-key
 * indicator wherever it may stand) in a file that holds a tab. eku's files
 * need neither. The position of that '?', or 0:0. */
static bool blank_or_break(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct eku_pos explicit_key_with_tab(const char *text, size_t len)
{
	int line = 1;
	size_t line_start = 0;

	if (memchr(text, '\t', len) == NULL)
		return (struct eku_pos){ 0, 0 };
	for (size_t k = 0; k < len; k++) {
		char c = text[k];
		if (c == '\n' || (c == '\r' && (k + 1 == len || text[k + 1] != '\n'))) {
			line++; /* "\n", "\r\n" (counted at its '\n') or a lone "\r" */
			line_start = k + 1;
			continue;
		}
		if (c == '?' && (k == 0 || blank_or_break(text[k - 1])) && (k + 1 == len || blank_or_break(text[k + 1])))
			return (struct eku_pos){ line, (int)(k - line_start) + 1 };
	}
	return (struct eku_pos){ 0, 0 };
}

int eku_yaml_load(struct eku_yaml *y, eku_diaglist *diags, const char *text, size_t len,
	struct fy_node **root)
{
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg;
	struct eku_pos bad = { 0, 0 };
	void *it = NULL;
	int rc = -1;

	*root = NULL;
	*y = (struct eku_yaml){ .diags = diags };
	if (diags->max == 0)
		diags->max = EKU_DIAGLIST_YAML_MAX;
	if (eku_utf8_check(text, len, &bad.line, &bad.col) != 0) {
		eku_yaml_diag(y, bad, EKU_E_BAD_CONFIG, "not UTF-8 text (or contains a NUL byte); save the file as UTF-8");
		goto out;
	}
	if ((bad = explicit_key_with_tab(text, len)).line != 0) {
		eku_yaml_diag(y, bad, EKU_E_BAD_CONFIG, "a YAML explicit key ('? ') in a file with tab characters "
			"cannot be read safely; write the key as 'key: value' and indent with spaces");
		goto out;
	}
	if (no_content(text, len)) {
		rc = 0; /* *root NULL: the caller says what the file should hold */
		goto out;
	}
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;               /* the library never prints */
	dcfg.level = FYET_ERROR;
	if ((y->fyd = fy_diag_create(&dcfg)) == NULL) {
		y->nomem = true;
		goto out;
	}
	fy_diag_set_collect_errors(y->fyd, true);
	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	pcfg.diag = y->fyd;
	y->doc = fy_document_build_from_string(&pcfg, text, len);
	if (y->doc == NULL || fy_diag_errors_iterate(y->fyd, &it) != NULL) {
		syntax_error(y, y->fyd);
		goto out;
	}
	*root = fy_document_root(y->doc);
	rc = 0;
out:
	return rc;
}

void eku_yaml_close(struct eku_yaml *y)
{
	if (y->doc != NULL)
		fy_document_destroy(y->doc);
	/* Destroy, not unref: only destroy frees the collected errors, and the
	 * document that used the collector is gone. */
	if (y->fyd != NULL)
		fy_diag_destroy(y->fyd);
	y->doc = NULL;
	y->fyd = NULL;
}

struct eku_pos eku_yaml_pos(struct fy_node *n, struct eku_pos fallback)
{
	const struct fy_mark *m;
	void *it = NULL;

	if (n == NULL)
		return fallback;
	if (fy_node_is_scalar(n) || fy_node_is_alias(n)) {
		m = fy_token_start_mark(fy_node_get_scalar_token(n));
		return m != NULL ? (struct eku_pos){ m->line + 1, m->column + 1 } : fallback;
	}
	if (fy_node_is_mapping(n)) {
		struct fy_node_pair *pr = fy_node_mapping_iterate(n, &it);
		return pr != NULL ? eku_yaml_pos(fy_node_pair_key(pr), fallback) : fallback;
	}
	if (fy_node_is_sequence(n))
		return eku_yaml_pos(fy_node_sequence_iterate(n, &it), fallback);
	return fallback;
}

/* ---- spelling ------------------------------------------------------------- */

size_t eku_distance(const char *a, const char *b)
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

const char *eku_nearest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, limit = strlen(word) / 3 + 2;

	for (size_t i = 0; i < n; i++) {
		size_t d = eku_distance(word, cands[i]);
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

void eku_join(char *buf, size_t len, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strncat(buf, buf[0] != '\0' ? ", " : "", len - strlen(buf) - 1);
		strncat(buf, v[i] ? v[i] : "?", len - strlen(buf) - 1);
	}
}

void eku_yaml_unknown_key(struct eku_yaml *y, struct eku_pos at, const char *where, const char *key,
	const char *const *keys, size_t n)
{
	const char *near = eku_nearest(key, keys, n);
	char list[512] = "";

	eku_join(list, sizeof(list), keys, n);
	if (near != NULL)
		eku_yaml_diag(y, at, EKU_E_BAD_CONFIG, "unknown key '%s' in %s; did you mean '%s'?", key, where, near);
	else
		eku_yaml_diag(y, at, EKU_E_BAD_CONFIG, "unknown key '%s' in %s (valid: %s)", key, where, list);
}

bool eku_yaml_one_of(struct eku_yaml *y, struct eku_pos at, const char *what, const char *v,
	const char *const *allowed, size_t n)
{
	const char *near;
	char list[512] = "";

	for (size_t i = 0; i < n; i++)
		if (strcmp(v, allowed[i]) == 0)
			return true;
	eku_join(list, sizeof(list), allowed, n);
	near = eku_nearest(v, allowed, n);
	if (near != NULL)
		eku_yaml_diag(y, at, EKU_E_BAD_CONFIG, "%s: unknown value '%s'; did you mean '%s'?", what, v, near);
	else
		eku_yaml_diag(y, at, EKU_E_BAD_CONFIG, "%s: unknown value '%s' (valid: %s)", what, v, list);
	return false;
}

/* ---- mappings --------------------------------------------------------------- */

static const char *kind_name(struct fy_node *n)
{
	return fy_node_is_mapping(n) ? "mapping" : fy_node_is_sequence(n) ? "list" : "value";
}

/* The key's text, or NULL with a diag: a key is a name, not a collection. */
static const char *key_text(struct eku_yaml *y, struct fy_node *k, struct eku_pos kp, const char *where)
{
	const char *s = k != NULL && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;

	if (s == NULL)
		eku_yaml_diag(y, kp, EKU_E_BAD_CONFIG, "%s: a key must be a name, found a %s", where,
			k != NULL ? kind_name(k) : "nothing");
	return s;
}

static size_t key_index(const struct eku_yaml_key *keys, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n && strcmp(keys[i].name, name) != 0; i++)
		;
	return i;
}

void eku_yaml_walk_map(struct eku_yaml *y, struct fy_node *m, struct eku_pos at, const char *where,
	const struct eku_yaml_key *keys, size_t n, void *obj)
{
	const char *names[EKU_YAML_MAX_KEYS];
	struct fy_node_pair *pr;
	uint64_t seen = 0;
	void *it = NULL;

	n = n < EKU_YAML_MAX_KEYS ? n : EKU_YAML_MAX_KEYS;
	for (size_t i = 0; i < n; i++)
		names[i] = keys[i].name;
	if (m == NULL || !fy_node_is_mapping(m)) {
		eku_yaml_diag(y, eku_yaml_pos(m, at), EKU_E_BAD_CONFIG, "%s: expected a mapping (key: value)", where);
		return;
	}
	while ((pr = fy_node_mapping_iterate(m, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(pr);
		struct eku_pos kp = eku_yaml_pos(k, at);
		const char *name = key_text(y, k, kp, where);
		size_t i;

		if (name == NULL)
			continue;
		if ((i = key_index(keys, n, name)) == n) {
			eku_yaml_unknown_key(y, kp, where, name, names, n);
		} else if (seen & (UINT64_C(1) << i)) {
			eku_yaml_diag(y, kp, EKU_E_BAD_CONFIG, "duplicate key '%s' in %s", name, where);
		} else {
			seen |= UINT64_C(1) << i;
			keys[i].fn(y, &keys[i], obj, fy_node_pair_value(pr), kp);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (keys[i].required && !(seen & (UINT64_C(1) << i)))
			eku_yaml_diag(y, eku_yaml_pos(m, at), EKU_E_BAD_CONFIG, "%s: missing required key '%s'", where,
				keys[i].name);
}
