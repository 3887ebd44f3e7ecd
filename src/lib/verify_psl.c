/* Public suffix lookup for allow-list wildcards (verify_allow.c).
 * Algorithm: https://publicsuffix.org/list/ ("Formal Algorithm"), restricted
 * to the one question we ask: is this whole name a public suffix? */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "verify_psl.h"

static int cmp_rule(const void *key, const void *elem)
{
	return strcmp(key, ((const struct eku_psl_rule *)elem)->name);
}

static const struct eku_psl_rule *find(const char *lower)
{
	return bsearch(lower, eku_psl_rules, eku_psl_rule_count, sizeof(eku_psl_rules[0]), cmp_rule);
}

static enum eku_psl_kind kind_of(const struct eku_psl_rule *r)
{
	return (r->flags & EKU_PSL_PRIVATE) ? EKU_PSL_PRIVATE_SECTION : EKU_PSL_ICANN;
}

enum eku_psl_kind eku_psl_public_suffix(const char *name)
{
	char lower[256];
	const struct eku_psl_rule *self, *parent;
	const char *dot;
	size_t n = strlen(name);

	if (n == 0 || n >= sizeof(lower))
		return EKU_PSL_NONE;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	self = find(lower);
	if (self != NULL && (self->flags & EKU_PSL_EXCEPTION))
		return EKU_PSL_NONE;
	if (self != NULL && (self->flags & EKU_PSL_RULE))
		return kind_of(self);
	dot = strchr(lower, '.');
	if (dot == NULL)
		return EKU_PSL_ICANN; /* the implicit "*" rule: every TLD */
	parent = find(dot + 1);
	if (parent != NULL && (parent->flags & EKU_PSL_WILDCARD))
		return kind_of(parent);
	return EKU_PSL_NONE;
}
