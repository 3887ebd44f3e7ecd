/* eku/jsonw.h - a streaming JSON writer that produces, byte for byte, the text
 * jansson 2.14 produces with json_dumpf(j, f, flags) for the same value, with
 * flags any mix of JSON_COMPACT and JSON_INDENT(n) (no JSON_SORT_KEYS, no
 * JSON_ENSURE_ASCII, no JSON_ESCAPE_SLASH), without building a tree.
 *
 * The writer appends to its own growable byte buffer (geometric growth up to a
 * maximum set at creation); the caller takes the bytes when it likes
 * (eku_jsonw_data + eku_jsonw_drain, or eku_jsonw_flush), so a worker thread
 * can format into its own writer and another thread emit the buffers in order.
 *
 * Strings are UTF-8. They are escaped exactly as jansson does: \" \\ \b \f \n
 * \r \t, every other character below U+0020 as \u00XX (upper-case hex), '/'
 * and DEL as they are, valid non-ASCII UTF-8 passed through. Invalid UTF-8
 * (RFC 3629: stray or missing continuation bytes, overlongs, surrogates,
 * anything above U+10FFFF) is never emitted: the call fails with EKU_E_BAD_DATA
 * and writes nothing of that string, the same inputs on which jansson's
 * json_string() refuses to make a value. Callers holding untrusted bytes
 * (file names) clean them first (eku_utf8_sanitize).
 *
 * Streaming a document (what eku inspect --format json needs): one writer d
 * with JSON_INDENT(2) writes the skeleton, {"schema":..,"certificates":[ ;
 * for each certificate a writer c (same flags) is reset, given
 * eku_jsonw_set_depth(c, eku_jsonw_depth(d)) and writes the object, and
 * eku_jsonw_splice(d, text of c) puts it in with the right separator; d is
 * flushed whenever convenient; then ],"errors":[..],"warnings":[..]} . The
 * bytes are those json_dumpf(doc, f, JSON_INDENT(2)) writes for the whole
 * tree (tests/unit/test_jsonw.c, test_streamed_document).
 *
 * Errors are sticky: after the first failure (misuse such as a value where a
 * key is due, invalid UTF-8, the maximum size, allocation) every later call
 * fails with the first error kept, so a caller may issue a run of calls and
 * check once. Not locked: one thread per writer.
 */
#ifndef EKU_JSONW_H
#define EKU_JSONW_H

#include <eku/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <eku/error.h>

/* Flags, with jansson's bit values (JSON_INDENT(n), JSON_COMPACT). */
#define EKU_JSONW_INDENT(n) ((unsigned)(n) & 0x1Fu)
#define EKU_JSONW_COMPACT 0x20u

/* The buffer maximum when eku_jsonw_new is given 0. */
#define EKU_JSONW_DEFAULT_MAX ((size_t)1 << 30)

typedef struct eku_jsonw eku_jsonw;

/* A new writer with flags (EKU_JSONW_INDENT(n) | EKU_JSONW_COMPACT) whose
 * buffer never holds more than max bytes (0: EKU_JSONW_DEFAULT_MAX). NULL on
 * allocation failure or unknown flags. */
EKU_API eku_jsonw *eku_jsonw_new(unsigned flags, size_t max);
EKU_API void eku_jsonw_free(eku_jsonw *w);

/* Empties the buffer, forgets every open container and the error, and sets
 * the base depth back to 0: the writer is as new (its memory kept). */
EKU_API void eku_jsonw_reset(eku_jsonw *w);

/* Mid-document fragments: the next top-level value is written as jansson
 * writes a value nested depth levels deep (its inner lines indented for that
 * depth). Only with nothing open; fails otherwise. Take the depth from the
 * document's writer with eku_jsonw_depth and put the fragment in with
 * eku_jsonw_splice. */
EKU_API int eku_jsonw_set_depth(eku_jsonw *w, unsigned depth) __attribute__((warn_unused_result));
/* The depth at which the next value would be written. */
EKU_API unsigned eku_jsonw_depth(const eku_jsonw *w);

/* Containers. Every begin has its end; ends must match. */
EKU_API int eku_jsonw_object_begin(eku_jsonw *w) __attribute__((warn_unused_result));
EKU_API int eku_jsonw_object_end(eku_jsonw *w) __attribute__((warn_unused_result));
EKU_API int eku_jsonw_array_begin(eku_jsonw *w) __attribute__((warn_unused_result));
EKU_API int eku_jsonw_array_end(eku_jsonw *w) __attribute__((warn_unused_result));

/* A key inside an object; a value must follow. s is NUL-terminated; the
 * keyn variant takes a length and may hold NUL bytes (written \u0000). */
EKU_API int eku_jsonw_key(eku_jsonw *w, const char *s) __attribute__((warn_unused_result));
EKU_API int eku_jsonw_keyn(eku_jsonw *w, const char *s, size_t len) __attribute__((warn_unused_result));

/* Values: at top level, as an array element, or after a key. A NULL string
 * (or key) fails with EKU_E_USAGE, as json_string(NULL) makes no value. */
EKU_API int eku_jsonw_string(eku_jsonw *w, const char *s) __attribute__((warn_unused_result));
EKU_API int eku_jsonw_stringn(eku_jsonw *w, const char *s, size_t len) __attribute__((warn_unused_result));
/* s, or null when s is NULL. */
EKU_API int eku_jsonw_string_or_null(eku_jsonw *w, const char *s) __attribute__((warn_unused_result));
EKU_API int eku_jsonw_integer(eku_jsonw *w, int64_t v) __attribute__((warn_unused_result));
/* As jansson's default real format ("%.17g", ".0" added to integral values,
 * no '+' nor leading zeros in the exponent). NaN and infinities fail, as
 * json_real() refuses them. */
EKU_API int eku_jsonw_real(eku_jsonw *w, double v) __attribute__((warn_unused_result));
EKU_API int eku_jsonw_bool(eku_jsonw *w, bool v) __attribute__((warn_unused_result));
EKU_API int eku_jsonw_null(eku_jsonw *w) __attribute__((warn_unused_result));
/* A value already written by another writer with the same flags and base
 * depth eku_jsonw_depth(w): its bytes are copied verbatim (not checked: only
 * pass a writer's complete output), with the separator and indentation this
 * position needs before them. */
EKU_API int eku_jsonw_splice(eku_jsonw *w, const char *text, size_t len)
	__attribute__((warn_unused_result));
/* Bytes between top-level values (such as the '\n' of JSON Lines), copied
 * verbatim; fails while a container is open. */
EKU_API int eku_jsonw_raw(eku_jsonw *w, const char *bytes, size_t len) __attribute__((warn_unused_result));

/* The bytes written and not drained yet (not NUL-terminated); valid until the
 * next call on w. */
EKU_API const char *eku_jsonw_data(const eku_jsonw *w, size_t *len);
/* Forgets the bytes written so far (the caller has taken them); the
 * document's state (open containers) is kept. */
EKU_API void eku_jsonw_drain(eku_jsonw *w);
/* Writes the pending bytes to f and drains them. 0, or -1 with EKU_E_IO. */
EKU_API int eku_jsonw_flush(eku_jsonw *w, FILE *f) __attribute__((warn_unused_result));
/* The same on a file descriptor, retrying short writes and EINTR. */
EKU_API int eku_jsonw_flush_fd(eku_jsonw *w, int fd) __attribute__((warn_unused_result));
/* Is the writer between top-level values (nothing open, no key pending)? */
EKU_API bool eku_jsonw_complete(const eku_jsonw *w);

/* Records a failure of the caller's own (allocation while composing an
 * object) as the writer's error, unless one is recorded already. */
EKU_API void eku_jsonw_set_error(eku_jsonw *w, enum eku_errcode code, const char *message);
/* The first error since creation or reset (code EKU_E_OK when none). */
EKU_API const eku_error *eku_jsonw_error(const eku_jsonw *w);

#endif
