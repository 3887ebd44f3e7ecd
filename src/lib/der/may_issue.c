/* Can this certificate issue others? Read straight from the DER, without
 * the facts: a first pass over a large run (eku inspect's streaming formats)
 * keeps only the possible issuers, and nearly every certificate of an estate
 * is a leaf that says so in its basicConstraints or keyUsage. */
#include <string.h>

#include "der.h"

/* 2.5.29.19 basicConstraints, 2.5.29.15 keyUsage (content octets). */
static const uint8_t OID_BC[] = { 0x55, 0x1d, 0x13 };
static const uint8_t OID_KU[] = { 0x55, 0x1d, 0x0f };

static bool oid_is(const eku_cursor *c, const uint8_t *oid, size_t n)
{
	return c->left == n && memcmp(c->p, oid, n) == 0;
}

/* basicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, ... }: 0 when it
 * says cA FALSE (by default or explicitly), 1 otherwise or when unsure. */
static int bc_allows(eku_cursor v)
{
	eku_cursor seq, b;

	if (eku_der_expect(&v, 0x30, &seq) != 0 || !eku_cursor_empty(&v))
		return 1;
	if (eku_der_peek(&seq) != 0x01)
		return 0; /* cA absent: FALSE */
	if (eku_der_expect(&seq, 0x01, &b) != 0 || b.left != 1)
		return 1;
	return b.p[0] != 0;
}

/* keyUsage ::= BIT STRING: 0 when keyCertSign (bit 5) is clear. */
static int ku_allows(eku_cursor v)
{
	eku_cursor bits;

	if (eku_der_expect(&v, 0x03, &bits) != 0 || bits.left < 1 || bits.p[0] > 7 ||
	    !eku_cursor_empty(&v))
		return 1; /* not a BIT STRING OpenSSL reads: it decides */
	if (bits.left < 2)
		return 0; /* no bits set */
	return (bits.p[1] & 0x04) != 0;
}

int eku_der_may_issue(const uint8_t *der, size_t len)
{
	eku_cursor c = eku_cursor_make(der, len), cert, tbs, exts, seq;
	struct eku_der_tlv t;
	int bc = -1, ku = -1; /* -1: absent */

	if (eku_der_expect(&c, 0x30, &cert) != 0 || eku_der_expect(&cert, 0x30, &tbs) != 0)
		return 1;
	/* version, serial, signature, issuer, validity, subject, spki, then the
	 * optional unique ids: skip to [3] extensions. */
	while (!eku_cursor_empty(&tbs)) {
		if (eku_der_read(&tbs, &t) != 0)
			return 1;
		if (t.tag == 0xa3)
			break;
	}
	if (t.tag != 0xa3 || eku_der_expect(&t.val, 0x30, &exts) != 0)
		return 1; /* no extensions (v1): may issue */
	/* Read every extension: a duplicate makes OpenSSL call the certificate
	 * invalid, and then the full parse must decide. */
	while (!eku_cursor_empty(&exts)) {
		eku_cursor oid, val;
		if (eku_der_expect(&exts, 0x30, &seq) != 0 || eku_der_expect(&seq, 0x06, &oid) != 0)
			return 1;
		if (eku_der_peek(&seq) == 0x01 && eku_der_read(&seq, &t) != 0)
			return 1;
		if (eku_der_expect(&seq, 0x04, &val) != 0)
			return 1;
		if (oid_is(&oid, OID_BC, sizeof(OID_BC))) {
			if (bc != -1)
				return 1;
			bc = bc_allows(val);
		} else if (oid_is(&oid, OID_KU, sizeof(OID_KU))) {
			if (ku != -1)
				return 1;
			ku = ku_allows(val);
		}
	}
	return bc == 0 || ku == 0 ? 0 : 1;
}
