/* Distinguished names (RFC 5280 4.1.2.4) straight from DER: the RFC 4514
 * text OpenSSL prints (crypto/asn1/a_strex.c do_name_ex/do_buf/do_esc_char
 * with XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) and the X509_NAME_cmp
 * equality (crypto/x509/x_name.c canonical encoding). "Not sure" (the
 * oracle answers): BMPString, UniversalString, VisibleString (refused by
 * X509_NAME_ENTRY's ASN1_PRINTABLE) and non-string values; UTF8String that
 * is not strict UTF-8 (x509_name_canon refuses it); empty RDNs; more than
 * 64 attributes; unknown attribute OIDs longer than OpenSSL's 80-byte text
 * buffer; comparing names with multi-valued RDNs (OpenSSL sorts the SET OF)
 * or values over 1 KB. */
#include <stdio.h>
#include <string.h>

#include "der.h"
#include "facts_build.h"

#define MAX_ENTRIES 64

struct entry {
	const uint8_t *oid;
	size_t oid_len;
	uint8_t tag;
	const uint8_t *val;
	size_t val_len;
	const uint8_t *raw; /* the value's whole TLV (for #hex dumps) */
	size_t raw_len;
	int set;
};

/* Tags of the string types handled here: UTF8String, then the one byte per
 * character types do_print_ex converts from Latin-1. */
static bool one_byte_type(uint8_t tag)
{
	/* Not VisibleString (0x1a): X509_NAME_ENTRY's ASN1_PRINTABLE refuses
	 * it ("mstring wrong tag"), found by tests/der-edge/names. */
	return tag == 0x12 || tag == 0x13 || tag == 0x14 || tag == 0x16;
}

/* Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF), which is
 * what x509_name_canon's ASN1_STRING_to_UTF8 accepts. */
static bool utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t c = p[i];
		size_t k;
		if (c < 0x80) { i++; continue; }
		if ((c & 0xe0) == 0xc0) { k = 1; c &= 0x1f; }
		else if ((c & 0xf0) == 0xe0) { k = 2; c &= 0x0f; }
		else if ((c & 0xf8) == 0xf0) { k = 3; c &= 0x07; }
		else return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (p[i + j] & 0x3f);
		}
		if ((k == 1 && c < 0x80) || (k == 2 && c < 0x800) || (k == 3 && c < 0x10000) ||
		    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return false;
		i += k + 1;
	}
	return true;
}

/* Flattens a Name into entries in encoding order; -1 when not sure. */
static int entries(eku_cursor name, struct entry *e, size_t *n)
{
	int set = 0;

	*n = 0;
	while (!eku_cursor_empty(&name)) {
		eku_cursor rdn;
		if (eku_der_expect(&name, 0x31, &rdn) != 0 || eku_cursor_empty(&rdn))
			return -1;
		while (!eku_cursor_empty(&rdn)) {
			eku_cursor atv, oid;
			struct eku_der_tlv v;
			if (*n == MAX_ENTRIES || eku_der_expect(&rdn, 0x30, &atv) != 0 ||
			    eku_der_expect(&atv, 0x06, &oid) != 0 || !eku_oid_valid(oid.p, oid.left) ||
			    eku_der_read(&atv, &v) != 0 || !eku_cursor_empty(&atv))
				return -1;
			if (v.tag == 0x0c ? !utf8_valid(v.val.p, v.val.left) : !one_byte_type(v.tag))
				return -1;
			e[*n] = (struct entry){ oid.p, oid.left, v.tag, v.val.p, v.val.left, v.raw,
				v.raw_len, set };
			(*n)++;
		}
		set++;
	}
	return 0;
}

/* a_strex.c char_type[] for 0..127, only the bits the RFC 2253 flags use:
 * 1 = ESC_2253 (always backslash), 2 = ESC_CTRL (\XX), 0x20 = escaped when
 * first, 0x40 = escaped when last. */
static uint8_t char_class(uint8_t c)
{
	if (c < 0x20 || c == 0x7f)
		return 2;
	switch (c) {
	case ',': case '+': case '"': case '\\': case '<': case '>': case ';': return 1;
	case '#': return 0x20;
	case ' ': return 0x60;
	default: return 0;
	}
}

/* do_esc_char for one byte; pos is 0x20 on the first character, 0x40 on
 * the last (last wins for a one-character value, as in do_buf). */
static void esc_byte(struct eku_fb *b, uint8_t c, uint8_t pos)
{
	uint8_t cls = c > 0x7f ? 0 : char_class(c) & (1 | 2 | pos);
	char hex[4];

	if (cls & (1 | 0x20 | 0x40)) {
		eku_fb_put(b, "\\", 1);
		eku_fb_put(b, &c, 1);
	} else if (cls & 2) {
		snprintf(hex, sizeof(hex), "\\%02X", c);
		eku_fb_put(b, hex, 3);
	} else {
		eku_fb_put(b, &c, 1);
	}
}

/* A byte written as it is when it is neither first nor last: what
 * esc_byte() and the Latin-1 step below leave unchanged there. */
static bool plain_inside(uint8_t c, bool utf8)
{
	return c > 0x7f ? utf8 : (char_class(c) & (1 | 2)) == 0; /* '#' and ' ' only escape at an end */
}

static void print_value(struct eku_fb *b, const struct entry *e)
{
	for (size_t i = 0; i < e->val_len; i++) {
		uint8_t c = e->val[i];
		uint8_t pos = i + 1 == e->val_len ? 0x40 : i == 0 ? 0x20 : 0;
		size_t j = i;

		/* A run of plain bytes inside the value goes out at once, not
		 * one call per byte. */
		while (i != 0 && j + 1 < e->val_len && plain_inside(e->val[j], e->tag == 0x0c))
			j++;
		if (j > i) {
			eku_fb_put(b, e->val + i, j - i);
			i = j - 1;
			continue;
		}
		if (e->tag != 0x0c && c > 0x7f) {
			/* Latin-1 to UTF-8: bytes above 0x7f are never escaped. */
			uint8_t u[2] = { (uint8_t)(0xc0 | (c >> 6)), (uint8_t)(0x80 | (c & 0x3f)) };
			eku_fb_put(b, u, 2);
		} else {
			esc_byte(b, c, pos);
		}
	}
}

static void print_hex_dump(struct eku_fb *b, const struct entry *e)
{
	static const char h[] = "0123456789ABCDEF";

	eku_fb_put(b, "#", 1);
	for (size_t i = 0; i < e->raw_len; i++) {
		char two[2] = { h[e->raw[i] >> 4], h[e->raw[i] & 15] };
		eku_fb_put(b, two, 2);
	}
}

int eku_der_name_check(eku_cursor name)
{
	struct entry e[MAX_ENTRIES];
	size_t n;

	return entries(name, e, &n);
}

int eku_der_name_print(struct eku_fb *b, int slot, eku_cursor name)
{
	struct entry e[MAX_ENTRIES];
	size_t n;
	int prev = -1;

	if (entries(name, e, &n) != 0)
		return -1;
	eku_fb_begin(b, (enum eku_fb_slot)slot, EKU_SAN_OTHER);
	for (size_t i = n; i-- > 0;) { /* XN_FLAG_DN_REV */
		struct eku_oid_info oi;
		char dotted[80];
		eku_oid_lookup(e[i].oid, e[i].oid_len, &oi);
		if (prev != -1)
			eku_fb_put(b, prev == e[i].set ? "+" : ",", 1);
		prev = e[i].set;
		if (oi.nid != 0 && oi.sn != NULL) {
			eku_fb_put(b, oi.sn, strlen(oi.sn));
			eku_fb_put(b, "=", 1);
			print_value(b, &e[i]);
		} else {
			if (eku_oid_dotted(e[i].oid, e[i].oid_len, dotted, sizeof(dotted)) != 0)
				return -1; /* the builder's open string is never finished */
			eku_fb_put(b, dotted, strlen(dotted));
			eku_fb_put(b, "=", 1);
			print_hex_dump(b, &e[i]);
		}
	}
	eku_fb_end(b, 1);
	return 0;
}

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* asn1_string_canon into out (UTF-8, trimmed, spaces collapsed, ASCII
 * lower-cased); returns the length, or -1 when it does not fit. */
static long canon(const struct entry *e, uint8_t *out, size_t cap)
{
	uint8_t tmp[1024];
	size_t n = 0, o = 0, s, t;

	for (size_t i = 0; i < e->val_len; i++) {
		uint8_t c = e->val[i];
		if (n + 2 > sizeof(tmp))
			return -1;
		if (e->tag != 0x0c && c > 0x7f) {
			tmp[n++] = (uint8_t)(0xc0 | (c >> 6));
			tmp[n++] = (uint8_t)(0x80 | (c & 0x3f));
		} else {
			tmp[n++] = c;
		}
	}
	for (s = 0; s < n && is_space(tmp[s]); s++)
		;
	for (t = n; t > s && is_space(tmp[t - 1]); t--)
		;
	for (size_t i = s; i < t;) {
		if (o == cap)
			return -1;
		if (tmp[i] > 0x7f) {
			out[o++] = tmp[i++];
		} else if (is_space(tmp[i])) {
			out[o++] = ' ';
			while (is_space(tmp[i]))
				i++;
		} else {
			uint8_t c = tmp[i++];
			out[o++] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
		}
	}
	return (long)o;
}

/* Canonical equality of two single entries: NumericString is not in
 * ASN1_MASK_CANON, so it compares as (type, bytes). */
static int entry_equal(const struct entry *a, const struct entry *b)
{
	uint8_t ca[1024], cb[1024];
	long la, lb;
	bool na = a->tag == 0x12, nb = b->tag == 0x12;

	if (a->oid_len != b->oid_len || memcmp(a->oid, b->oid, a->oid_len) != 0)
		return 0;
	if (na || nb)
		return na && nb && a->val_len == b->val_len &&
		       memcmp(a->val, b->val, a->val_len) == 0;
	if ((la = canon(a, ca, sizeof(ca))) < 0 || (lb = canon(b, cb, sizeof(cb))) < 0)
		return -1;
	return la == lb && memcmp(ca, cb, (size_t)la) == 0;
}

int eku_der_name_equal(eku_cursor a, eku_cursor b)
{
	struct entry ea[MAX_ENTRIES], eb[MAX_ENTRIES];
	size_t na, nb;

	if (a.left == b.left && memcmp(a.p, b.p, a.left) == 0)
		return 1; /* the canonical form is a function of the encoding */
	if (entries(a, ea, &na) != 0 || entries(b, eb, &nb) != 0)
		return -1;
	if (na != nb) /* canonical encodings parse uniquely: different entries */
		return 0;
	/* Multi-valued RDNs compare as sorted SETs: not reproduced. */
	for (size_t i = 0; i < na; i++)
		if (ea[i].set != (int)i || eb[i].set != (int)i)
			return -1;
	for (size_t i = 0; i < na; i++) {
		int eq;
		if ((eq = entry_equal(&ea[i], &eb[i])) != 1)
			return eq;
	}
	return 1;
}
