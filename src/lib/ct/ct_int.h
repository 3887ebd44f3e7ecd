/* Internal: the page scanner (ct_json.c) hands each entry's two strings to
 * the entry decoder (ct_page.c). */
#ifndef EKU_CT_INT_H
#define EKU_CT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <eku/ct.h>

/* The raw bytes of a JSON string between its quotes. */
struct ct_span {
	const char *p;
	size_t len;
	bool escaped; /* holds a backslash escape: unescape before use */
};

/* The last extra_data of a page and its decoded bytes: the entries of a log
 * mostly repeat a few issuing chains, and their base64 is most of a page.
 * The page's owner frees buf. */
struct ct_cache {
	const char *p;   /* the span's raw bytes, in the page */
	size_t len;
	uint8_t *buf;    /* decoded; NULL: nothing yet */
	size_t buf_len;
};

/* Scans a whole page, calling ct_entry_spans per entry. */
long ct_json_page(const char *source, const uint8_t *buf, size_t len, struct ct_cache *cache,
	eku_ct_entry_fn fn, void *arg, eku_error *err);

/* Base64-decodes and decodes one entry (leaf or extra NULL: missing), then
 * calls fn. An extra_data byte-equal to cache's is not decoded again. 0, or
 * -1 with err set. */
int ct_entry_spans(const char *source, size_t index, const struct ct_span *leaf,
	const struct ct_span *extra, struct ct_cache *cache, eku_ct_entry_fn fn, void *arg, eku_error *err);

#endif
