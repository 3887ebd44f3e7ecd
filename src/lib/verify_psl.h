/* verify_psl.h - the Public Suffix List compiled in at build time
 * (tools/psl_embed.py, from Debian's publicsuffix package; docs/verify.md). */
#ifndef EKU_VERIFY_PSL_H
#define EKU_VERIFY_PSL_H

#include <stddef.h>

enum {
	EKU_PSL_RULE = 1,      /* "name": name is a public suffix */
	EKU_PSL_WILDCARD = 2,  /* "*.name": every child of name is one */
	EKU_PSL_EXCEPTION = 4, /* "!name": name is not one (overrides a wildcard) */
	EKU_PSL_PRIVATE = 8,   /* the rule is in the PRIVATE DOMAINS section */
};

struct eku_psl_rule {
	const char *name; /* lower-case, A-labels */
	unsigned flags;
};

/* Sorted by strcmp(name). */
extern const struct eku_psl_rule eku_psl_rules[];
extern const size_t eku_psl_rule_count;

enum eku_psl_kind { EKU_PSL_NONE = 0, EKU_PSL_ICANN, EKU_PSL_PRIVATE_SECTION };

/* Is name (ASCII, any case, no trailing dot) itself a public suffix? Uses the
 * PSL algorithm including the implicit "*" rule, so every single label (a
 * TLD, listed or not) is one. */
enum eku_psl_kind eku_psl_public_suffix(const char *name);

#endif
