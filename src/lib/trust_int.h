/* Internal to the trust module: data tables and matchers. */
#ifndef EKU_TRUST_INT_H
#define EKU_TRUST_INT_H

#include <jansson.h>

#include <eku/trust.h>

struct eku_chrome_root {
	uint8_t sha256[32];
	int crs_id;
	int64_t sct_not_after; /* 0 when the root has no phase-out constraint */
	char subject[256];     /* RFC 4514, as in the snapshot */
};

/* Parses chrome-root-store.csv (comment lines start with '#'). */
int eku_chrome_parse(const char *csv, const char *display, struct eku_chrome_root **out, size_t *n,
	eku_error *err)
	__attribute__((warn_unused_result));
const struct eku_chrome_root *eku_trust_chrome_lookup(eku_trust *t, const uint8_t sha256[32]);
/* Sets cl->ca_vendor (when not already set) from issuer names and URLs. */
void eku_trust_match_vendor(json_t *vendors, struct eku_classification *cl, int *rc);
/* Sets cl->alt_root and its label when top is a known alternative root. */
void eku_trust_match_alt_root(json_t *alt_roots, const eku_cert *top,
	struct eku_classification *cl, int *rc);

#endif
