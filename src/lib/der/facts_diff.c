/* Field-by-field comparison of two fact records, for the differential
 * test and the fuzzer (the walker against the oracle). */
#include <string.h>

#include "der.h"

static bool str_eq(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

static const char *strv_diff(const eku_strv *a, const eku_strv *b)
{
	if (a->n != b->n)
		return "count";
	for (size_t i = 0; i < a->n; i++)
		if (!str_eq(a->v[i], b->v[i]))
			return a->v[i];
	return NULL;
}

/* The first differing field's name, or NULL when a and b agree. */
const char *eku_facts_diff(const struct eku_facts *a, const struct eku_facts *b)
{
#define S(x) if (!str_eq(a->x, b->x)) return #x
#define V(x) if (a->x != b->x) return #x
#define L(x) if (strv_diff(&a->x, &b->x) != NULL) return #x
	S(subject); S(issuer); S(serial); V(not_before); V(not_after);
	if (memcmp(a->sha256, b->sha256, 32) != 0) return "sha256";
	if (memcmp(a->spki_sha256, b->spki_sha256, 32) != 0) return "spki_sha256";
	S(key_type); V(key_bits); S(curve); S(sig_alg); V(has_eku); L(eku_oids); L(eku_names);
	V(eku_class); V(has_key_usage); V(key_usage); V(has_basic_constraints); V(is_ca);
	V(path_len); V(n_san);
	for (size_t i = 0; i < a->n_san; i++)
		if (a->san[i].type != b->san[i].type || !str_eq(a->san[i].value, b->san[i].value))
			return "san";
	S(ski); S(aki); L(crl_dp); L(ocsp); L(ca_issuers); L(policies); V(n_scts);
	V(self_signed); V(can_serve); V(can_client);
	return NULL;
#undef S
#undef V
#undef L
}

