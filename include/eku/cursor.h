/* eku/cursor.h - the bounded byte cursor every parser of untrusted bytes uses.
 *
 * A cursor is a pointer and a remaining length. Reads either succeed whole or
 * fail and leave the cursor untouched; nothing ever reads past the end (the
 * s2n "stuffer" idea, read-only).
 */
#ifndef EKU_CURSOR_H
#define EKU_CURSOR_H

#include <eku/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct eku_cursor {
	const uint8_t *p;
	size_t left;
} eku_cursor;

static inline eku_cursor eku_cursor_make(const void *p, size_t len)
{
	eku_cursor c = { (const uint8_t *)p, len };
	return c;
}

EKU_API int eku_cursor_u8(eku_cursor *c, uint8_t *out) __attribute__((warn_unused_result));
EKU_API int eku_cursor_u16(eku_cursor *c, uint16_t *out) __attribute__((warn_unused_result));
EKU_API int eku_cursor_u24(eku_cursor *c, uint32_t *out) __attribute__((warn_unused_result));
EKU_API int eku_cursor_u32(eku_cursor *c, uint32_t *out) __attribute__((warn_unused_result));
/* Borrows n bytes (pointer into the underlying buffer). */
EKU_API int eku_cursor_bytes(eku_cursor *c, size_t n, const uint8_t **out) __attribute__((warn_unused_result));
/* Splits off a sub-cursor of n bytes and advances past it. */
EKU_API int eku_cursor_sub(eku_cursor *c, size_t n, eku_cursor *sub) __attribute__((warn_unused_result));
EKU_API int eku_cursor_skip(eku_cursor *c, size_t n) __attribute__((warn_unused_result));
/* Finds a line ending in "\n" (optionally "\r\n") within at most max bytes;
 * borrows the line without its terminator. Returns 0, or -1 when no complete
 * line is present or the line is longer than max. */
EKU_API int eku_cursor_line(eku_cursor *c, size_t max, const uint8_t **line, size_t *len)
	__attribute__((warn_unused_result));
static inline bool eku_cursor_empty(const eku_cursor *c) { return c->left == 0; }

#endif
