/* The one-block eku_facts layout (see facts_build.h for why). */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <eku/util.h>

#include "facts_build.h"

void eku_fb_init(struct eku_fb *b)
{
	memset(&b->f, 0, sizeof(b->f));
	b->f.path_len = -1;
	b->buf = b->ibuf;
	b->cap = sizeof(b->ibuf);
	b->len = 0;
	b->items = b->iitems;
	b->cap_items = sizeof(b->iitems) / sizeof(b->iitems[0]);
	b->n_items = 0;
	b->open = SIZE_MAX;
	b->failed = 0;
}

void eku_fb_release(struct eku_fb *b)
{
	if (b->buf != b->ibuf)
		free(b->buf);
	if (b->items != b->iitems)
		free(b->items);
	b->buf = b->ibuf;
	b->items = b->iitems;
}

/* Grows a buffer that may still be the inline one, geometrically. */
static void *grow(void *cur, const void *inl, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap;
	void *n;

	while (ncap < need) {
		if (ncap > SIZE_MAX / 4 / elem)
			return NULL;
		ncap *= 2;
	}
	if (cur == inl) {
		if ((n = malloc(ncap * elem)) != NULL)
			memcpy(n, cur, *cap * elem);
	} else {
		n = realloc(cur, ncap * elem);
	}
	if (n != NULL)
		*cap = ncap;
	return n;
}

static int reserve(struct eku_fb *b, size_t n)
{
	char *nb;

	if (b->failed)
		return -1;
	if (n <= b->cap - b->len)
		return 0;
	if (n > SIZE_MAX / 2 - b->len ||
	    (nb = grow(b->buf, b->ibuf, &b->cap, b->len + n, 1)) == NULL) {
		b->failed = 1;
		return -1;
	}
	b->buf = nb;
	return 0;
}

void eku_fb_begin(struct eku_fb *b, enum eku_fb_slot slot, enum eku_san_type san)
{
	struct eku_fb_item *ni;

	if (b->failed)
		return;
	if (b->n_items == b->cap_items) {
		ni = grow(b->items, b->iitems, &b->cap_items, b->n_items + 1, sizeof(*ni));
		if (ni == NULL || b->len > UINT32_MAX) {
			b->failed = 1;
			return;
		}
		b->items = ni;
	}
	b->items[b->n_items].off = (uint32_t)b->len;
	b->items[b->n_items].slot = (uint8_t)slot;
	b->items[b->n_items].san = (uint8_t)san;
	b->n_items++;
	b->open = b->len;
}

void eku_fb_put(struct eku_fb *b, const void *p, size_t n)
{
	if (reserve(b, n) != 0)
		return;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

void eku_fb_end(struct eku_fb *b, int sanitize)
{
	if (reserve(b, 1) != 0)
		return;
	b->buf[b->len++] = '\0';
	if (sanitize)
		eku_utf8_sanitize(b->buf + b->open);
	b->open = SIZE_MAX;
}

void eku_fb_str(struct eku_fb *b, enum eku_fb_slot slot, const char *s)
{
	eku_fb_begin(b, slot, EKU_SAN_OTHER);
	eku_fb_put(b, s, strlen(s));
	eku_fb_end(b, 0);
}

void eku_fb_text(struct eku_fb *b, enum eku_fb_slot slot, enum eku_san_type san,
	const uint8_t *p, size_t n)
{
	size_t start;

	eku_fb_begin(b, slot, san);
	start = b->len;
	eku_fb_put(b, p, n);
	if (!b->failed)
		for (size_t i = start; i < b->len; i++)
			if (b->buf[i] == '\0')
				b->buf[i] = '?';
	eku_fb_end(b, 1);
}

void eku_fb_hex(struct eku_fb *b, enum eku_fb_slot slot, const uint8_t *p, size_t n)
{
	eku_fb_begin(b, slot, EKU_SAN_OTHER);
	if (n > SIZE_MAX / 4 || reserve(b, 2 * n + 1) != 0)
		return;
	eku_hex(p, n, b->buf + b->len);
	b->len += 2 * n;
	eku_fb_end(b, 0);
}

static eku_strv *list_of(struct eku_facts *f, unsigned slot)
{
	switch (slot) {
	case EKU_FB_EKU_OID: return &f->eku_oids;
	case EKU_FB_EKU_NAME: return &f->eku_names;
	case EKU_FB_CRL_DP: return &f->crl_dp;
	case EKU_FB_OCSP: return &f->ocsp;
	case EKU_FB_CA_ISSUERS: return &f->ca_issuers;
	case EKU_FB_POLICY: return &f->policies;
	default: return NULL;
	}
}

static char **scalar_of(struct eku_facts *f, unsigned slot)
{
	switch (slot) {
	case EKU_FB_SUBJECT: return &f->subject;
	case EKU_FB_ISSUER: return &f->issuer;
	case EKU_FB_SERIAL: return &f->serial;
	case EKU_FB_KEY_TYPE: return &f->key_type;
	case EKU_FB_CURVE: return &f->curve;
	case EKU_FB_SIG_ALG: return &f->sig_alg;
	case EKU_FB_SKI: return &f->ski;
	case EKU_FB_AKI: return &f->aki;
	default: return NULL;
	}
}

#define ALIGN_UP(n) (((n) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

struct eku_facts *eku_fb_finish(struct eku_fb *b)
{
	size_t count[EKU_FB_N_SLOT] = { 0 }, ptrs = 0, total;
	struct eku_facts *f;
	char **pv, *text;
	struct eku_san *san;

	if (b->failed || b->open != SIZE_MAX)
		return NULL;
	for (size_t i = 0; i < b->n_items; i++)
		count[b->items[i].slot]++;
	for (unsigned s = EKU_FB_N_SCALAR; s < EKU_FB_SAN; s++)
		ptrs += count[s];
	total = ALIGN_UP(sizeof(*f)) + ALIGN_UP(count[EKU_FB_SAN] * sizeof(*san)) +
		ALIGN_UP(ptrs * sizeof(char *)) + b->len;
	if ((f = malloc(total)) == NULL)
		return NULL;
	*f = b->f;
	san = (struct eku_san *)((char *)f + ALIGN_UP(sizeof(*f)));
	pv = (char **)((char *)san + ALIGN_UP(count[EKU_FB_SAN] * sizeof(*san)));
	text = (char *)pv + ALIGN_UP(ptrs * sizeof(char *));
	memcpy(text, b->buf, b->len);
	/* Each list gets a contiguous run of pointers, in slot order. */
	for (unsigned s = EKU_FB_N_SCALAR; s < EKU_FB_SAN; s++) {
		eku_strv *sv = list_of(f, s);
		sv->n = 0;
		sv->v = count[s] ? pv : NULL;
		pv += count[s];
	}
	f->san = count[EKU_FB_SAN] ? san : NULL;
	f->n_san = 0;
	for (size_t i = 0; i < b->n_items; i++) {
		const struct eku_fb_item *it = &b->items[i];
		char *s = text + it->off;
		if (it->slot < EKU_FB_N_SCALAR) {
			*scalar_of(f, it->slot) = s;
		} else if (it->slot == EKU_FB_SAN) {
			f->san[f->n_san].type = (enum eku_san_type)it->san;
			f->san[f->n_san++].value = s;
		} else {
			eku_strv *sv = list_of(f, it->slot);
			sv->v[sv->n++] = s;
		}
	}
	return f;
}
