/* Typed scalar readers of the shared YAML walker (yaml/walk.h): text,
 * booleans (one spelling set for every reader), bounded integers, lists of
 * values, and the table handlers built on them. Each reports what it
 * expected, at the value. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "yaml/walk.h"

#define FIELD(obj, k, type) ((type *)(void *)((char *)(obj) + (k)->off))

const char *eku_yaml_scalar(struct eku_yaml *y, struct fy_node *v, struct eku_pos at, const char *what)
{
	const char *s;
	size_t len = 0;

	if (v == NULL || fy_node_is_null(v)) {
		eku_yaml_diag(y, at, EKU_E_BAD_CONFIG, "%s: a value is required", what);
		return NULL;
	}
	if (!fy_node_is_scalar(v)) {
		eku_yaml_diag(y, eku_yaml_pos(v, at), EKU_E_BAD_CONFIG, "%s: expected a single value, found a %s", what,
			fy_node_is_mapping(v) ? "mapping" : "list");
		return NULL;
	}
	/* A "\0" escape would cut the text short where C reads it. */
	s = fy_node_get_scalar(v, &len);
	if (s != NULL && memchr(s, '\0', len) != NULL) {
		eku_yaml_diag(y, eku_yaml_pos(v, at), EKU_E_BAD_CONFIG, "%s: the value contains a NUL character", what);
		return NULL;
	}
	if ((s = fy_node_get_scalar0(v)) == NULL)
		y->nomem = true;
	return s;
}

char *eku_yaml_dup(struct eku_yaml *y, struct fy_node *v, struct eku_pos at, const char *what)
{
	const char *s = eku_yaml_scalar(y, v, at, what);
	char *d = s != NULL ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		y->nomem = true;
	return d;
}

int eku_yaml_bool_parse(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

int eku_yaml_bool(struct eku_yaml *y, struct fy_node *v, struct eku_pos at, const char *what, bool *out)
{
	const char *s = eku_yaml_scalar(y, v, at, what);

	if (s == NULL)
		return -1;
	if (eku_yaml_bool_parse(s, out) == 0)
		return 0;
	eku_yaml_diag(y, eku_yaml_pos(v, at), EKU_E_BAD_CONFIG,
		"%s: expected true or false (or yes/no, on/off), found '%s'", what, s);
	return -1;
}

int eku_yaml_uint(struct eku_yaml *y, struct fy_node *v, struct eku_pos at, const char *what,
	unsigned long long min, unsigned long long max, unsigned long long *out)
{
	const char *s = eku_yaml_scalar(y, v, at, what);
	char *end = NULL;
	unsigned long long n;

	if (s == NULL)
		return -1;
	errno = 0;
	n = isdigit((unsigned char)s[0]) ? strtoull(s, &end, 10) : 0;
	if (end == NULL || *end != '\0' || errno != 0 || n < min || n > max) {
		eku_yaml_diag(y, eku_yaml_pos(v, at), EKU_E_BAD_CONFIG,
			"%s: '%s' is not a whole number from %llu to %llu", what, s, min, max);
		return -1;
	}
	*out = n;
	return 0;
}

int eku_yaml_strv(struct eku_yaml *y, struct fy_node *v, struct eku_pos at, const char *what, eku_strv *sv)
{
	struct fy_node *item;
	const char *s;
	void *it = NULL;
	int rc = 0;

	if (v != NULL && fy_node_is_mapping(v)) {
		eku_yaml_diag(y, eku_yaml_pos(v, at), EKU_E_BAD_CONFIG,
			"%s: expected a value or a list of values, found a mapping", what);
		return -1;
	}
	if (v == NULL || !fy_node_is_sequence(v)) {
		if ((s = eku_yaml_scalar(y, v, at, what)) == NULL)
			return -1;
		if (eku_strv_push(sv, s) != 0)
			y->nomem = true;
		return y->nomem ? -1 : 0;
	}
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
		if ((s = eku_yaml_scalar(y, item, eku_yaml_pos(item, at), what)) == NULL)
			rc = -1;
		else if (eku_strv_push(sv, s) != 0)
			y->nomem = true, rc = -1;
	}
	return rc;
}

/* ---- table handlers -------------------------------------------------------- */

void eku_yaml_key_str(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at)
{
	char **dst = FIELD(obj, k, char *), *s = eku_yaml_dup(y, v, at, k->name);

	if (s == NULL)
		return;
	free(*dst);
	*dst = s;
}

void eku_yaml_key_strv(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at)
{
	(void)eku_yaml_strv(y, v, at, k->name, FIELD(obj, k, eku_strv));
}

void eku_yaml_key_bool(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at)
{
	(void)eku_yaml_bool(y, v, at, k->name, FIELD(obj, k, bool));
}

void eku_yaml_key_uint(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at)
{
	unsigned long long n;

	if (eku_yaml_uint(y, v, at, k->name, 0, UINT32_MAX, &n) == 0)
		*FIELD(obj, k, unsigned) = (unsigned)n;
}

void eku_yaml_key_size(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at)
{
	unsigned long long n;

	if (eku_yaml_uint(y, v, at, k->name, 0, SIZE_MAX, &n) == 0)
		*FIELD(obj, k, size_t) = (size_t)n;
}
