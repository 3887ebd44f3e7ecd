/* Node versions against their family's bands (data/products/ files). The
 * version is rewritten to the canonical spelling at load, so that "x15.3.2",
 * "X15.3.2" and "X015.3.2" are one release everywhere after (the E/C
 * version-mismatch check compares these strings), and "X15.4" is "X15.4.0". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_int.h"
#include "judge.h"

/* The literal before the first '<' of version_pattern ("X" of
 * "X<major>.<minor>[.<patch>]"), at most 7 characters. */
static void pattern_prefix(const char *pattern, char out[8])
{
	size_t n = pattern ? strcspn(pattern, "<") : 0;

	snprintf(out, 8, "%.*s", (int)(n < 7 ? n : 7), pattern ? pattern : "");
}

/* "x15.4" -> "X15.4.0" under prefix "X"; the prefix may be left out
 * ("15.4.0"), as Cisco's own release notes often do. NULL when s is not
 * prefix + 2 or 3 dot-separated numbers of at most 6 digits. */
static char *canonical_version(const char *prefix, const char *s)
{
	long v[3] = { 0, 0, 0 };
	size_t plen = strlen(prefix);
	int k = 0;
	char *out = NULL;

	if (plen > 0 && strncasecmp(s, prefix, plen) == 0)
		s += plen;
	while (k < 3) {
		size_t nd = 0;
		while (isdigit((unsigned char)s[nd]))
			nd++;
		if (nd == 0 || nd > 6)
			return NULL;
		v[k++] = strtol(s, NULL, 10);
		s += nd;
		if (*s != '.')
			break;
		s++;
	}
	if (*s != '\0' || k < 2)
		return NULL;
	return asprintf(&out, "%s%ld.%ld.%ld", prefix, v[0], v[1], v[2]) < 0 ? NULL : out;
}

/* "X14.0.0-X14.3.7, X15.0.0-X15.3.2, ..." and the from/to bounds for a
 * "did you mean". */
static void band_list(const struct product *prod, char *list, size_t len, const char **bounds, size_t *nb)
{
	const char *labels[16] = { NULL };
	size_t nl = 0;

	*nb = 0;
	for (size_t i = 0; i < prod->family->n_bands; i++) {
		const struct band *b = &prod->family->bands[i];
		if (b->from != NULL && *nb < 15)
			bounds[(*nb)++] = b->from;
		if (b->to != NULL && *nb < 15)
			bounds[(*nb)++] = b->to;
		if (nl < 16)
			labels[nl++] = b->label;
	}
	list[0] = '\0';
	eku_join(list, len, labels, nl);
}

static void version_error(struct ctx *c, struct node_raw *r, bool not_a_version)
{
	const struct inv_node *n = r->n;
	const char *fam = n->prod->family->id, *bounds[16], *near;
	char list[320];
	size_t nb;

	band_list(n->prod, list, sizeof(list), bounds, &nb);
	if (not_a_version) {
		DIAG(c, r->version_at, EKU_E_BAD_CONFIG, "version '%s' of %s is not a version of the form %s (e.g. "
			"%s); known bands: %s", n->version, n->prod->id,
			n->prod->family->version_pattern ?: "?", nb > 0 ? bounds[nb - 1] : "?", list);
		return;
	}
	near = eku_nearest(n->version, bounds, nb);
	DIAG(c, r->version_at, EKU_E_BAD_CONFIG, "version '%s' of %s is not a known version: outside every band "
		"the data knows (%s)%s%s%s; if it is a real release, add a band to families.%s (eku data export DIR, "
		"edit DIR/products/, rerun with --data-dir DIR)", n->version, n->prod->id, list,
		near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "", fam);
}

void inv_check_version(struct ctx *c, struct node_raw *r)
{
	struct inv_node *n = r->n;
	const struct product *prod = n->prod;
	char prefix[8], *canon;

	n->band = -1;
	if (prod == NULL || prod->family == NULL)
		return;
	if (n->version == NULL) {
		if (r->version == NULL)
			DIAG(c, r->product_at, EKU_E_BAD_CONFIG,
				"node '%s': %s needs a version (e.g. version: X15.5.0)", n->name ?: "?", prod->id);
		return;
	}
	pattern_prefix(prod->family->version_pattern, prefix);
	if ((canon = canonical_version(prefix, n->version)) == NULL) {
		version_error(c, r, true);
		return;
	}
	free(n->version);
	n->version = canon;
	n->band = plan_product_band(prod, n->version);
	if (n->band < 0)
		version_error(c, r, false);
}
