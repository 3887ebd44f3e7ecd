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

/* Scans a whole page, calling ct_entry_spans per entry. */
long ct_json_page(const char *source, const uint8_t *buf, size_t len, eku_ct_entry_fn fn, void *arg,
	eku_error *err);

/* Base64-decodes and decodes one entry (leaf or extra NULL: missing), then
 * calls fn. 0, or -1 with err set. */
int ct_entry_spans(const char *source, size_t index, const struct ct_span *leaf,
	const struct ct_span *extra, eku_ct_entry_fn fn, void *arg, eku_error *err);

#endif
