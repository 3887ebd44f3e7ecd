/* Strict DER TLVs (X.690 section 10.1: definite, shortest lengths). */
#include "der.h"

int eku_der_read(eku_cursor *c, struct eku_der_tlv *t)
{
	eku_cursor save = *c;
	uint8_t tag, b;
	size_t len = 0;

	if (eku_cursor_u8(c, &tag) != 0 || (tag & 0x1f) == 0x1f || eku_cursor_u8(c, &b) != 0)
		goto bad;
	if (b < 0x80) {
		len = b;
	} else {
		unsigned n = b & 0x7f;
		if (n == 0 || n > 4) /* indefinite (BER), or beyond any sane certificate */
			goto bad;
		for (unsigned i = 0; i < n; i++) {
			if (eku_cursor_u8(c, &b) != 0 || (i == 0 && b == 0))
				goto bad;
			len = (len << 8) | b;
		}
		if (len < 0x80)
			goto bad;
	}
	if (eku_cursor_sub(c, len, &t->val) != 0)
		goto bad;
	t->tag = tag;
	t->raw = save.p;
	t->raw_len = (size_t)(c->p - save.p);
	return 0;
bad:
	*c = save;
	return -1;
}

int eku_der_expect(eku_cursor *c, uint8_t tag, eku_cursor *val)
{
	eku_cursor save = *c;
	struct eku_der_tlv t;

	if (eku_der_read(c, &t) != 0 || t.tag != tag) {
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
