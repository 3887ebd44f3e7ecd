/* A get-entries page read in place (RFC 6962 4.6; JSON per RFC 8259): a
 * scanner that knows the page's shape, so no JSON tree is built. Only the
 * two base64 strings of one entry are copied (when escaped) and decoded at a
 * time; everything else is skipped where it lies. */
#include <stdlib.h>
#include <string.h>

#include <eku/ct.h>

#include "../swar.h"
#include "ct_int.h"

#define MAX_DEPTH 64

struct scan {
	const uint8_t *p;
	size_t len, pos;
	const char *source;
	struct ct_cache *cache;
	eku_error *err;
};

/* A syntax error at the current position, as file:line:column. */
static int bad(struct scan *s, const char *what)
{
	int line = 1, col = 1;

	for (size_t i = 0; i < s->pos && i < s->len; i++) {
		if (s->p[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	eku_error_set(s->err, EKU_E_BAD_DATA, "%s:%d:%d: not a CT get-entries page: %s", s->source, line,
		col, what);
	return -1;
}

static void ws(struct scan *s)
{
	while (s->pos < s->len && (s->p[s->pos] == ' ' || s->p[s->pos] == '\t' || s->p[s->pos] == '\n' ||
				   s->p[s->pos] == '\r'))
		s->pos++;
}

static int peek(struct scan *s)
{
	ws(s);
	return s->pos < s->len ? s->p[s->pos] : -1;
}

static int expect(struct scan *s, char c, const char *what)
{
	if (peek(s) != c)
		return bad(s, s->pos < s->len ? what : "unexpected end of input");
	s->pos++;
	return 0;
}

/* How many bytes at p need no look in a string: no '"', '\\' or control
 * character among them. Eight at a time, as words: a page's strings are
 * kilobytes of base64, and a byte loop over them was a seventh of a census
 * of CT pages. Each test is exact as a whole word's yes or no (swar.h); a
 * word that says yes is left to the byte loop. */
static size_t plain_run(const uint8_t *p, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w = eku_swar_load(p + i);
		if (eku_swar_has(w, '"') | eku_swar_has(w, '\\') | eku_swar_has_below(w, 0x20))
			break;
	}
	return i;
}

/* A string's raw bytes between the quotes (escapes left in place). */
static int string_span(struct scan *s, struct ct_span *out)
{
	size_t open;

	if (expect(s, '"', "expected a string") != 0)
		return -1;
	open = s->pos - 1;
	out->p = (const char *)s->p + s->pos;
	out->escaped = false;
	s->pos += plain_run(s->p + s->pos, s->len - s->pos);
	while (s->pos < s->len && s->p[s->pos] != '"') {
		if (s->p[s->pos] < 0x20)
			return bad(s, "control character in a string");
		if (s->p[s->pos] == '\\') {
			out->escaped = true;
			s->pos++;
		}
		s->pos++;
	}
	if (s->pos >= s->len) {
		s->pos = open; /* point at the string that never ends */
		return bad(s, "unterminated string");
	}
	out->len = (size_t)((const char *)s->p + s->pos - out->p);
	s->pos++;
	return 0;
}

static int skip_value(struct scan *s, int depth);

static int skip_container(struct scan *s, char close, int depth)
{
	struct ct_span k;

	s->pos++;
	if (peek(s) == close) {
		s->pos++;
		return 0;
	}
	for (;;) {
		if (close == '}' && (string_span(s, &k) != 0 || expect(s, ':', "expected ':'") != 0))
			return -1;
		if (skip_value(s, depth + 1) != 0)
			return -1;
		if (peek(s) == ',') {
			s->pos++;
			continue;
		}
		return expect(s, close, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

/* Any JSON value, checked only as far as finding its end needs. */
static int skip_value(struct scan *s, int depth)
{
	struct ct_span str;
	int c = peek(s);

	if (depth > MAX_DEPTH)
		return bad(s, "nested deeper than 64 levels");
	if (c == '"')
		return string_span(s, &str);
	if (c == '{' || c == '[')
		return skip_container(s, c == '{' ? '}' : ']', depth);
	if (c < 0)
		return bad(s, "unexpected end of input");
	if (c == 0 || !strchr("-0123456789tfn", c))
		return bad(s, "expected a JSON value");
	while (s->pos < s->len && strchr("+-.0123456789eEtruefalsn", s->p[s->pos]) && s->p[s->pos])
		s->pos++;
	return 0;
}

static bool key_is(const struct ct_span *k, const char *name)
{
	return !k->escaped && k->len == strlen(name) && memcmp(k->p, name, k->len) == 0;
}

/* One entry object: its two members, handed to ct_entry_spans. */
static int entry(struct scan *s, size_t index, eku_ct_entry_fn fn, void *arg)
{
	struct ct_span k, v, leaf = { 0 }, extra = { 0 };
	bool has_leaf = false, has_extra = false;

	if (peek(s) < 0)
		return bad(s, "unexpected end of input");
	if (peek(s) != '{') {
		eku_error_set(s->err, EKU_E_BAD_DATA, "%s: entry %zu: not a JSON object", s->source, index);
		return -1;
	}
	s->pos++;
	while (peek(s) != '}') {
		if (string_span(s, &k) != 0 || expect(s, ':', "expected ':'") != 0)
			return -1;
		bool is_leaf = key_is(&k, "leaf_input"), is_extra = key_is(&k, "extra_data");
		if ((is_leaf && has_leaf) || (is_extra && has_extra))
			return bad(s, "duplicate member in an entry");
		if ((is_leaf || is_extra) && peek(s) != '"') {
			eku_error_set(s->err, EKU_E_BAD_DATA, "%s: entry %zu: %s: not a string", s->source,
				index, is_leaf ? "leaf_input" : "extra_data");
			return -1;
		}
		if ((is_leaf || is_extra) ? string_span(s, &v) != 0 : skip_value(s, 2) != 0)
			return -1;
		if (is_leaf)
			leaf = v, has_leaf = true;
		if (is_extra)
			extra = v, has_extra = true;
		if (peek(s) != ',')
			break;
		s->pos++;
	}
	if (expect(s, '}', "expected ',' or '}'") != 0)
		return -1;
	return ct_entry_spans(s->source, index, has_leaf ? &leaf : NULL, has_extra ? &extra : NULL, s->cache,
		fn, arg, s->err);
}

static long entries(struct scan *s, eku_ct_entry_fn fn, void *arg)
{
	size_t n = 0;

	if (peek(s) != '[') {
		eku_error_set(s->err, EKU_E_BAD_DATA,
			"%s: not a CT get-entries page: no \"entries\" array (RFC 6962 4.6)", s->source);
		return -1;
	}
	s->pos++;
	if (peek(s) == ']') {
		s->pos++;
		return 0;
	}
	for (;;) {
		if (entry(s, n, fn, arg) != 0)
			return -1;
		n++;
		if (peek(s) != ',')
			break;
		s->pos++;
	}
	return expect(s, ']', "expected ',' or ']'") != 0 ? -1 : (long)n;
}

long ct_json_page(const char *source, const uint8_t *buf, size_t len, struct ct_cache *cache,
	eku_ct_entry_fn fn, void *arg, eku_error *err)
{
	struct scan s = { buf, len, 0, source, cache, err };
	struct ct_span k;
	long n = -1;
	bool seen = false;

	if (expect(&s, '{', "expected '{' at the start of the page") != 0)
		return -1;
	while (peek(&s) != '}') {
		size_t key_pos = s.pos;

		if (string_span(&s, &k) != 0 || expect(&s, ':', "expected ':'") != 0)
			return -1;
		if (key_is(&k, "entries")) {
			if (seen) {
				s.pos = key_pos;
				return bad(&s, "duplicate \"entries\"");
			}
			seen = true;
			if ((n = entries(&s, fn, arg)) < 0)
				return -1;
		} else if (skip_value(&s, 1) != 0) {
			return -1;
		}
		if (peek(&s) != ',')
			break;
		s.pos++;
	}
	if (expect(&s, '}', "expected ',' or '}'") != 0)
		return -1;
	if (peek(&s) >= 0)
		return bad(&s, "data after the page");
	if (!seen) {
		eku_error_set(err, EKU_E_BAD_DATA,
			"%s: not a CT get-entries page: no \"entries\" array (RFC 6962 4.6)", source);
		return -1;
	}
	return n;
}
