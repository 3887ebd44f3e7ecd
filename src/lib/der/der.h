/* Internal to src/lib/der/: a strict DER reader on the bounded cursor and
 * the certificate walker built on it (ITU-T X.690 section 10, RFC 5280
 * section 4.1).
 *
 * Strict means: single-byte tags (low-tag-number form), definite lengths in
 * their shortest form. Anything else is "not sure" and the caller falls back
 * to OpenSSL, which accepts some BER; the walker never guesses. */
#ifndef EKU_DER_H
#define EKU_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include <eku/cert.h>
#include <eku/cursor.h>

struct eku_der_tlv {
	uint8_t tag;
	const uint8_t *raw;  /* whole TLV */
	size_t raw_len;
	eku_cursor val;      /* contents */
};

/* Reads one TLV. Returns 0, or -1 (cursor unmoved) on anything not DER.
 * Inline, with direct byte access: every certificate has a few hundred TLVs,
 * and the walk spent a sixth of its time in calls to read them. */
static inline __attribute__((warn_unused_result)) int eku_der_read(eku_cursor *c, struct eku_der_tlv *t)
{
	const uint8_t *p = c->p;
	size_t left = c->left, len, hdr;

	if (left < 2 || (p[0] & 0x1f) == 0x1f)
		return -1;
	if (p[1] < 0x80) {
		len = p[1];
		hdr = 2;
	} else {
		unsigned n = p[1] & 0x7f;
		/* indefinite (BER), beyond any sane certificate, or not shortest */
		if (n == 0 || n > 4 || left - 2 < n || p[2] == 0)
			return -1;
		len = 0;
		for (unsigned i = 0; i < n; i++)
			len = (len << 8) | p[2 + i];
		if (len < 0x80)
			return -1;
		hdr = 2 + n;
	}
	if (len > left - hdr)
		return -1;
	t->tag = p[0];
	t->raw = p;
	t->raw_len = hdr + len;
	t->val = eku_cursor_make(p + hdr, len);
	c->p = p + hdr + len;
	c->left = left - hdr - len;
	return 0;
}

/* Reads one TLV that must carry tag; its contents go to *val. */
static inline __attribute__((warn_unused_result)) int eku_der_expect(eku_cursor *c, uint8_t tag,
	eku_cursor *val)
{
	eku_cursor save = *c;
	struct eku_der_tlv t;

	if (c->left == 0 || c->p[0] != tag || eku_der_read(c, &t) != 0) {
		*c = save;
		return -1;
	}
	*val = t.val;
	return 0;
}

/* The next tag, or -1 at the end. */
int eku_der_peek(const eku_cursor *c);

/* OIDs (X.690 8.19): content octets of an OBJECT IDENTIFIER. */
struct eku_oid_info {
	int nid;             /* 0 (NID_undef) when OpenSSL does not know it */
	const char *sn, *ln;
};
/* Looks the OID up in the table built once from OpenSSL's object database
 * (thread-safe after the first call). Unknown OIDs give nid 0. */
void eku_oid_lookup(const uint8_t *p, size_t n, struct eku_oid_info *out);
/* Is this a well-formed OID encoding, as c2i_ASN1_OBJECT demands? */
bool eku_oid_valid(const uint8_t *p, size_t n);
/* Dotted text as OBJ_obj2txt(no_name=1); -1 when it does not fit in cap
 * (OpenSSL would truncate) or an arc exceeds 64 bits. */
int eku_oid_dotted(const uint8_t *p, size_t n, char *out, size_t cap);

/* The facts of a DER certificate without an X509 object, or NULL when the
 * walker is not sure (not DER, rare constructs, allocation failure): the
 * caller then asks the oracle (eku_facts_from_der_oracle). */
struct eku_facts *eku_der_facts(const uint8_t *der, size_t len);
/* The same when the caller has already hashed der (sha256: its SHA-256, or
 * NULL to compute it). */
struct eku_facts *eku_der_facts_hashed(const uint8_t *der, size_t len, const uint8_t *sha256);

/* 0 when the certificate says it cannot issue others (basicConstraints
 * cA FALSE, or a keyUsage without keyCertSign), 1 otherwise or when the
 * bytes are not clear (the full parse decides then). No allocation. */
int eku_der_may_issue(const uint8_t *der, size_t len);

/* Did issuer's key sign this DER certificate, as X509_check_issued ==
 * X509_V_OK && X509_verify would say, without building its X509 (sig.c)?
 * 1 yes, 0 no (the signature does not verify), -1 not sure: the caller asks
 * OpenSSL. Safe on an issuer shared between threads (read-only use of an
 * X509 whose extension cache is filled, as eku_cert_get0_x509 leaves it). */
int eku_der_issued_by(const uint8_t *der, size_t len, X509 *issuer);

/* The name of the first field where a and b differ, or NULL when they
 * agree on every field (facts_diff.c). */
const char *eku_facts_diff(const struct eku_facts *a, const struct eku_facts *b);

/* Names (name.c). */
struct eku_fb;
/* RFC 4514 text exactly as X509_NAME_print_ex(XN_FLAG_RFC2253 &
 * ~ASN1_STRFLGS_ESC_MSB), then eku_utf8_sanitize; -1 when not sure. */
int eku_der_name_print(struct eku_fb *b, int slot, eku_cursor name) __attribute__((warn_unused_result));
/* Is this Name one the walker reproduces (and d2i_X509_NAME accepts)? */
int eku_der_name_check(eku_cursor name) __attribute__((warn_unused_result));
/* X509_NAME_cmp(a, b) == 0? 1 yes, 0 no, -1 not sure. */
int eku_der_name_equal(eku_cursor a, eku_cursor b);

#endif
