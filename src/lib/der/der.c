/* Strict DER TLVs (X.690 section 10.1: definite, shortest lengths). */
#include "der.h"

/* Direct byte access, not the cursor's reads: every certificate has a few
 * hundred TLVs, and the walk spent a sixth of its time in those calls. */
int eku_der_read(eku_cursor *c, struct eku_der_tlv *t)
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

int eku_der_expect(eku_cursor *c, uint8_t tag, eku_cursor *val)
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

int eku_der_peek(const eku_cursor *c)
{
	return c->left == 0 ? -1 : c->p[0];
}
