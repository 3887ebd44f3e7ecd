/* eku/util.h - small shared helpers: string vectors, dates, hex.
 * Not thread-hostile: no function keeps hidden state. */
#ifndef EKU_UTIL_H
#define EKU_UTIL_H

#include <eku/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Owning vector of NUL-terminated strings. Zero-initialised is empty.
 * Appends are amortised O(1): the capacity is implied by n (the next power of
 * two), so build one only with the functions below, never by setting v and n;
 * eku_strv_contains is a linear search. */
typedef struct eku_strv {
	size_t n;
	char **v;
} eku_strv;

/* Appends a copy of s. Returns 0, or -1 on allocation failure. */
EKU_API int eku_strv_push(eku_strv *sv, const char *s) __attribute__((warn_unused_result));
/* Appends s taking ownership (set0). On failure s is freed. */
EKU_API int eku_strv_push0(eku_strv *sv, char *s) __attribute__((warn_unused_result));
EKU_API bool eku_strv_contains(const eku_strv *sv, const char *s);
EKU_API void eku_strv_clear(eku_strv *sv);

/* Dates are int64 seconds since the epoch, UTC. */
/* Formats as "2026-11-27T00:00:00Z" into buf (at least 21 bytes). */
EKU_API char *eku_time_iso(int64_t t, char *buf, size_t len);
/* Formats as "2026-11-27" into buf (at least 11 bytes). */
EKU_API char *eku_time_date(int64_t t, char *buf, size_t len);
/* Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS][Z|+hh:mm|-hh:mm]" (space allowed
 * for T), or "now". Returns 0 or -1 when the text is not such a date or the
 * instant falls outside 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. */
#define EKU_TIME_MIN_YEAR 1970
#define EKU_TIME_MAX_YEAR 9999
/* The message callers give for a rejected date, after the offending text. */
#define EKU_TIME_FORMAT_HELP "not a date between 1970-01-01 and 9999-12-31; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
EKU_API int eku_time_parse(const char *s, int64_t *out) __attribute__((warn_unused_result));
/* Whole days from a to b, rounded toward negative infinity. */
EKU_API int64_t eku_days_between(int64_t a, int64_t b);

/* Lower-case hex of buf into out (2*len+1 bytes). Returns out. */
EKU_API char *eku_hex(const uint8_t *buf, size_t len, char *out);

/* Is text[0..len) valid UTF-8 (RFC 3629 section 4: no overlongs, no
 * surrogates, nothing above U+10FFFF) without NUL? Returns 0, or -1 with the
 * 1-based line and column of the first bad byte. Parsers run it before
 * libfyaml, which can loop forever on invalid UTF-8 in a directive. */
EKU_API int eku_utf8_check(const char *text, size_t len, int *line, int *col) __attribute__((warn_unused_result));

/* Replaces every byte that is not part of a valid UTF-8 sequence (and every
 * control character but tab) with '?', in place, so names from untrusted
 * certificates are safe to print and to put in JSON. Returns s. */
EKU_API char *eku_utf8_sanitize(char *s);
/* Writes s as one CSV field (RFC 4180): quoted, with quotes doubled, when it
 * holds a comma, quote or line break; as is otherwise. */
EKU_API void eku_csv_field(FILE *out, const char *s);

/* Copies s (NULL reads as "") into out (cap bytes, always NUL-terminated when
 * cap > 0) as a log field that shows what the bytes are instead of acting on
 * the terminal or the reader: C0 and C1 controls (tab included), DEL, U+061C,
 * U+200E/F, U+2028-U+202E and U+2066-U+2069 (bidi controls and separators)
 * become \uXXXX (lower-case hex, "\u202e"); a byte that is not valid UTF-8
 * becomes \xNN; '"' and '\' get a backslash so a quoted field cannot be
 * closed early. Other valid UTF-8 passes as is. Output that does not fit is
 * cut before a whole character or escape. Returns out. Thread-safe. */
EKU_API char *eku_utf8_escape(const char *s, char *out, size_t cap);

/* Overwrites len bytes with zeros in a way the compiler cannot elide. */
EKU_API void eku_wipe(void *p, size_t len);

#endif
