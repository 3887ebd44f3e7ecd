/* One-allocation builder for struct eku_facts (include/eku/cert.h).
 *
 * Both fact paths (the DER walker and the OpenSSL oracle) stage strings in
 * a scratch buffer, then eku_fb_finish() lays the record out as ONE block:
 * the struct, the san array, the pointer arrays of the eku_strv fields and
 * the string bytes. eku_facts_free() is then a single free(). Because the
 * eku_strv fields point into the block, nobody may eku_strv_clear() or push
 * to them. The scratch starts in the builder itself (no malloc for typical
 * certificates) and grows geometrically past that. */
#ifndef EKU_DER_FACTS_BUILD_H
#define EKU_DER_FACTS_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include <eku/cert.h>

/* Where a staged string goes. */
enum eku_fb_slot {
	EKU_FB_SUBJECT, EKU_FB_ISSUER, EKU_FB_SERIAL, EKU_FB_KEY_TYPE, EKU_FB_CURVE,
	EKU_FB_SIG_ALG, EKU_FB_SKI, EKU_FB_AKI,
	EKU_FB_N_SCALAR,
	/* lists: one entry per call */
	EKU_FB_EKU_OID = EKU_FB_N_SCALAR, EKU_FB_EKU_NAME, EKU_FB_CRL_DP, EKU_FB_OCSP,
	EKU_FB_CA_ISSUERS, EKU_FB_POLICY, EKU_FB_SAN,
	EKU_FB_N_SLOT,
};

struct eku_fb_item {
	uint32_t off;   /* into the scratch */
	uint8_t slot;   /* enum eku_fb_slot */
	uint8_t san;    /* enum eku_san_type when slot is EKU_FB_SAN */
};

struct eku_fb {
	struct eku_facts f;  /* scalars; string fields are filled by finish */
	char *buf;           /* scratch: NUL-terminated strings back to back */
	size_t len, cap;
	struct eku_fb_item *items;
	size_t n_items, cap_items;
	size_t open;         /* offset of the string being written, or SIZE_MAX */
	int failed;          /* an allocation failed: finish returns NULL */
	char ibuf[4096];
	struct eku_fb_item iitems[64];
};

void eku_fb_init(struct eku_fb *b);
void eku_fb_release(struct eku_fb *b);
/* Streaming: begin a string for slot, append bytes, end it. */
void eku_fb_begin(struct eku_fb *b, enum eku_fb_slot slot, enum eku_san_type san);
void eku_fb_put(struct eku_fb *b, const void *p, size_t n);
/* Ends the open string; sanitize runs eku_utf8_sanitize over it. */
void eku_fb_end(struct eku_fb *b, int sanitize);
/* One-shot helpers. */
void eku_fb_str(struct eku_fb *b, enum eku_fb_slot slot, const char *s);
/* Certificate text (IA5String and friends) as the oracle copies it: NUL
 * bytes become '?', then eku_utf8_sanitize. */
void eku_fb_text(struct eku_fb *b, enum eku_fb_slot slot, enum eku_san_type san,
	const uint8_t *p, size_t n);
/* Lower-case hex of bytes (SKI/AKI). */
void eku_fb_hex(struct eku_fb *b, enum eku_fb_slot slot, const uint8_t *p, size_t n);
/* Lays out the record; NULL on allocation failure. The builder stays
 * valid and must still be released. */
struct eku_facts *eku_fb_finish(struct eku_fb *b);

#endif
