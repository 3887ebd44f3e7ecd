/* Streaming JSON writer: jansson 2.14's json_dumpf() output without a tree
 * (include/eku/jsonw.h). The whitespace rules are those of jansson's dump.c
 * (dump_indent, do_dump): a container opens, each child is preceded by the
 * indentation of depth+1 (after a ',' for every child but the first), and
 * the close is preceded by the indentation of depth, except that an empty
 * container is "[]" / "{}". Indentation is '\n' plus indent*depth spaces when
 * indent > 0; otherwise one space after ',' unless JSON_COMPACT. JSON text is
 * RFC 8259; UTF-8 validity is RFC 3629 section 4. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <eku/jsonw.h>

#include "swar.h"

struct frame {
	bool object;
	bool keyed;    /* object: a key was written, its value is due */
	size_t n;      /* children (keys for objects) written so far */
};

struct eku_jsonw {
	char *buf;
	size_t len, cap, max;
	struct frame *stack;
	size_t open, stack_cap;   /* open containers; capacity of stack */
	unsigned indent, base;
	bool compact;
	eku_error err;
};

eku_jsonw *eku_jsonw_new(unsigned flags, size_t max)
{
	eku_jsonw *w;

	if ((flags & ~(EKU_JSONW_INDENT(31) | EKU_JSONW_COMPACT)) != 0)
		return NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->indent = EKU_JSONW_INDENT(flags);
	w->compact = (flags & EKU_JSONW_COMPACT) != 0;
	w->max = max != 0 ? max : EKU_JSONW_DEFAULT_MAX;
	return w;
}

void eku_jsonw_free(eku_jsonw *w)
{
	if (w == NULL)
		return;
	free(w->buf);
	free(w->stack);
	free(w);
}

void eku_jsonw_reset(eku_jsonw *w)
{
	w->len = 0;
	w->open = 0;
	w->base = 0;
	eku_error_clear(&w->err);
}

static int fail(eku_jsonw *w, enum eku_errcode code, const char *what)
{
	eku_error_setx(&w->err, code, "JSON writer: %s", what);
	return -1;
}

static bool failed(const eku_jsonw *w)
{
	return w->err.code != EKU_E_OK;
}

/* Room for need more bytes; the capacity doubles so n appends cost O(n). */
static int reserve(eku_jsonw *w, size_t need)
{
	size_t cap = w->cap != 0 ? w->cap : 256;
	char *p;

	if (failed(w))
		return -1;
	if (need > w->max - w->len)
		return fail(w, EKU_E_TOO_LARGE, "output exceeds its maximum size");
	if (w->len + need <= w->cap)
		return 0;
	while (cap < w->len + need)
		cap = cap > w->max / 2 ? w->max : cap * 2;
	if ((p = realloc(w->buf, cap)) == NULL)
		return fail(w, EKU_E_NOMEM, "out of memory");
	w->buf = p;
	w->cap = cap;
	return 0;
}

static int put(eku_jsonw *w, const void *p, size_t n)
{
	if (reserve(w, n) != 0)
		return -1;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

/* jansson's dump_indent(): space asks for the " " after a ',' in the
 * non-compact, non-indented style. */
static int put_ws(eku_jsonw *w, unsigned depth, bool space)
{
	size_t n = (size_t)w->indent * depth;

	if (w->indent == 0)
		return space && !w->compact ? put(w, " ", 1) : 0;
	if (reserve(w, n + 1) != 0)
		return -1;
	w->buf[w->len] = '\n';
	memset(w->buf + w->len + 1, ' ', n);
	w->len += n + 1;
	return 0;
}

/* The separator and indentation before a new child of the open container. */
static int put_child_prefix(eku_jsonw *w, struct frame *f)
{
	unsigned depth = w->base + (unsigned)w->open;

	if (f->n++ == 0)
		return put_ws(w, depth, false);
	if (put(w, ",", 1) != 0)
		return -1;
	return put_ws(w, depth, true);
}

/* Checks that a value may come here and writes what precedes it. */
static int value_begin(eku_jsonw *w)
{
	struct frame *f;

	if (failed(w))
		return -1;
	if (w->open == 0)
		return 0;
	f = &w->stack[w->open - 1];
	if (!f->object)
		return put_child_prefix(w, f);
	if (!f->keyed)
		return fail(w, EKU_E_USAGE, "a value where an object key is due");
	f->keyed = false;
	return 0;
}

/* Length of the valid UTF-8 sequence at p (at most avail bytes), 0 if none:
 * the checks of jansson's utf8_check_first/utf8_check_full. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
	size_t n = p[0] < 0xc2 ? 0 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : p[0] < 0xf5 ? 4 : 0;
	uint32_t cp;

	if (n == 0 || n > avail)
		return 0;
	cp = p[0] & (0x7fu >> n);
	for (size_t k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[k] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (cp >= 0xd800 && cp <= 0xdfff) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff)
		return 0;
	return n;
}

static int put_escape(eku_jsonw *w, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
	const char *e = NULL;

	switch (c) {
	case '"': e = "\\\""; break;
	case '\\': e = "\\\\"; break;
	case '\b': e = "\\b"; break;
	case '\f': e = "\\f"; break;
	case '\n': e = "\\n"; break;
	case '\r': e = "\\r"; break;
	case '\t': e = "\\t"; break;
	default: break;
	}
	return e != NULL ? put(w, e, 2) : put(w, u, sizeof(u));
}

/* jansson's dump_string() without JSON_ESCAPE_SLASH / JSON_ENSURE_ASCII:
 * runs of characters that need no escape are copied at once. */
/* Bytes a JSON string carries as they are: printable ASCII but '"' and
 * '\\' (0x7f included, as jansson writes it). A constant table, so the scan
 * is one load per byte. */
#define PLAIN(c) (uint8_t)((c) >= 0x20 && (c) < 0x80 && (c) != '"' && (c) != '\\')
#define PLAIN4(i) PLAIN(i), PLAIN((i) + 1), PLAIN((i) + 2), PLAIN((i) + 3)
#define PLAIN16(i) PLAIN4(i), PLAIN4((i) + 4), PLAIN4((i) + 8), PLAIN4((i) + 12)
#define PLAIN64(i) PLAIN16(i), PLAIN16((i) + 16), PLAIN16((i) + 32), PLAIN16((i) + 48)
static const uint8_t plain[256] = { PLAIN64(0), PLAIN64(64), PLAIN64(128), PLAIN64(192) };

/* The same eight bytes at a time, up to the first word that holds a byte
 * below 0x20 or from 0x80, a '"' or a '\\' (each test exact as a whole
 * word's yes or no: swar.h); the table goes on from there. Names, hashes and OIDs are long runs of plain bytes. */
static const unsigned char *plain_words(const unsigned char *p, const unsigned char *end)
{
	for (; end - p >= 8; p += 8) {
		uint64_t w = eku_swar_load(p);
		if ((w & EKU_SWAR_HIGH) | eku_swar_has_below(w, 0x20) | eku_swar_has(w, '"') | eku_swar_has(w, '\\'))
			break;
	}
	return p;
}

static int put_string(eku_jsonw *w, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	if (put(w, "\"", 1) != 0)
		return -1;
	while (p < end) {
		const unsigned char *run = p;
		size_t n;

		for (;;) {
			p = plain_words(p, end);
			while (p < end && plain[*p])
				p++;
			if (p < end && *p >= 0x80 && (n = utf8_len(p, (size_t)(end - p))) != 0) {
				p += n;
				continue;
			}
			break;
		}
		if (put(w, run, (size_t)(p - run)) != 0)
			return -1;
		if (p == end)
			break;
		if (*p >= 0x80)
			return fail(w, EKU_E_BAD_DATA, "string is not valid UTF-8");
		if (put_escape(w, *p++) != 0)
			return -1;
	}
	return put(w, "\"", 1);
}

/* Undo a call that failed half way, so the buffer never holds a partial
 * token (in particular no invalid UTF-8). */
static int rollback(eku_jsonw *w, size_t mark, int rc)
{
	if (rc != 0)
		w->len = mark < w->len ? mark : w->len;
	return rc;
}

static int push(eku_jsonw *w, bool object)
{
	if (w->open == w->stack_cap) {
		size_t cap = w->stack_cap != 0 ? w->stack_cap * 2 : 16;
		struct frame *s = realloc(w->stack, cap * sizeof(*s));

		if (s == NULL)
			return fail(w, EKU_E_NOMEM, "out of memory");
		w->stack = s;
		w->stack_cap = cap;
	}
	w->stack[w->open++] = (struct frame){ .object = object };
	return 0;
}

static int begin(eku_jsonw *w, bool object)
{
	size_t mark = w->len;

	if (value_begin(w) != 0 || put(w, object ? "{" : "[", 1) != 0)
		return rollback(w, mark, -1);
	return rollback(w, mark, push(w, object));
}

static int end(eku_jsonw *w, bool object)
{
	struct frame *f = w->open > 0 ? &w->stack[w->open - 1] : NULL;
	size_t mark = w->len;

	if (failed(w))
		return -1;
	if (f == NULL || f->object != object)
		return fail(w, EKU_E_USAGE,
			object ? "object end without its begin" : "array end without its begin");
	if (f->keyed)
		return fail(w, EKU_E_USAGE, "object end where a value is due");
	if (f->n > 0 && put_ws(w, w->base + (unsigned)w->open - 1, false) != 0)
		return rollback(w, mark, -1);
	if (put(w, object ? "}" : "]", 1) != 0)
		return rollback(w, mark, -1);
	w->open--;
	return 0;
}

int eku_jsonw_object_begin(eku_jsonw *w) { return begin(w, true); }
int eku_jsonw_object_end(eku_jsonw *w) { return end(w, true); }
int eku_jsonw_array_begin(eku_jsonw *w) { return begin(w, false); }
int eku_jsonw_array_end(eku_jsonw *w) { return end(w, false); }

int eku_jsonw_set_depth(eku_jsonw *w, unsigned depth)
{
	if (failed(w))
		return -1;
	if (w->open != 0)
		return fail(w, EKU_E_USAGE, "base depth set inside a container");
	w->base = depth;
	return 0;
}

unsigned eku_jsonw_depth(const eku_jsonw *w)
{
	return w->base + (unsigned)w->open;
}

int eku_jsonw_keyn(eku_jsonw *w, const char *s, size_t len)
{
	struct frame *f = w->open > 0 ? &w->stack[w->open - 1] : NULL;
	size_t mark = w->len;
	int rc = -1;

	if (failed(w))
		return -1;
	if (s == NULL)
		return fail(w, EKU_E_USAGE, "a NULL key");
	if (f == NULL || !f->object || f->keyed)
		return fail(w, EKU_E_USAGE, "a key outside an object or where a value is due");
	if (put_child_prefix(w, f) != 0 || put_string(w, s, len) != 0)
		goto out;
	if (put(w, w->compact ? ":" : ": ", w->compact ? 1 : 2) != 0)
		goto out;
	f->keyed = true;
	rc = 0;
out:
	return rollback(w, mark, rc);
}

int eku_jsonw_key(eku_jsonw *w, const char *s)
{
	return eku_jsonw_keyn(w, s, s != NULL ? strlen(s) : 0);
}

int eku_jsonw_stringn(eku_jsonw *w, const char *s, size_t len)
{
	size_t mark = w->len;

	if (s == NULL)
		return failed(w) ? -1 : fail(w, EKU_E_USAGE, "a NULL string");
	return rollback(w, mark, value_begin(w) != 0 || put_string(w, s, len) != 0 ? -1 : 0);
}

int eku_jsonw_string(eku_jsonw *w, const char *s)
{
	return eku_jsonw_stringn(w, s, s != NULL ? strlen(s) : 0);
}

int eku_jsonw_string_or_null(eku_jsonw *w, const char *s)
{
	return s != NULL ? eku_jsonw_string(w, s) : eku_jsonw_null(w);
}

static int put_token(eku_jsonw *w, const char *text, size_t len)
{
	size_t mark = w->len;

	return rollback(w, mark, value_begin(w) != 0 || put(w, text, len) != 0 ? -1 : 0);
}

int eku_jsonw_integer(eku_jsonw *w, int64_t v)
{
	char d[24], *p = d + sizeof(d);
	/* The magnitude in unsigned arithmetic, so INT64_MIN does not overflow. */
	uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + m % 10);
	while ((m /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return put_token(w, p, (size_t)(d + sizeof(d) - p));
}

/* jansson's jsonp_dtostr() at its default precision, 17. */
int eku_jsonw_real(eku_jsonw *w, double v)
{
	char b[64], *e, *start, *stop;
	const char *point = localeconv()->decimal_point;
	int n;

	if (!isfinite(v))
		return failed(w) ? -1 : fail(w, EKU_E_USAGE, "a real that is NaN or infinite");
	n = snprintf(b, sizeof(b) - 3, "%.17g", v);
	if (n < 0 || (size_t)n >= sizeof(b) - 3)
		return failed(w) ? -1 : fail(w, EKU_E_INTERNAL, "cannot format a real");
	/* The locale's decimal point becomes '.' (jansson's from_locale). */
	if (point[0] != '.' && (e = strchr(b, point[0])) != NULL)
		*e = '.';
	if (strchr(b, '.') == NULL && strchr(b, 'e') == NULL) {
		memcpy(b + n, ".0", 3);
		n += 2;
	}
	if ((start = strchr(b, 'e')) != NULL) {
		stop = ++start + 1;
		if (*start == '-')
			start++;
		while (*stop == '0')
			stop++;
		memmove(start, stop, strlen(stop) + 1);
		n = (int)strlen(b);
	}
	return put_token(w, b, (size_t)n);
}

int eku_jsonw_bool(eku_jsonw *w, bool v)
{
	return v ? put_token(w, "true", 4) : put_token(w, "false", 5);
}

int eku_jsonw_null(eku_jsonw *w)
{
	return put_token(w, "null", 4);
}

int eku_jsonw_splice(eku_jsonw *w, const char *text, size_t len)
{
	return put_token(w, text, len);
}

int eku_jsonw_raw(eku_jsonw *w, const char *bytes, size_t len)
{
	if (failed(w))
		return -1;
	if (w->open != 0)
		return fail(w, EKU_E_USAGE, "raw bytes inside a container");
	return put(w, bytes, len);
}

const char *eku_jsonw_data(const eku_jsonw *w, size_t *len)
{
	*len = w->len;
	return w->buf != NULL ? w->buf : "";
}

void eku_jsonw_drain(eku_jsonw *w)
{
	w->len = 0;
}

int eku_jsonw_flush(eku_jsonw *w, FILE *f)
{
	if (failed(w))
		return -1;
	if (w->len > 0 && fwrite(w->buf, 1, w->len, f) != w->len)
		return fail(w, EKU_E_IO, "cannot write its output");
	w->len = 0;
	return 0;
}

int eku_jsonw_flush_fd(eku_jsonw *w, int fd)
{
	size_t off = 0;

	if (failed(w))
		return -1;
	while (off < w->len) {
		ssize_t n = write(fd, w->buf + off, w->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail(w, EKU_E_IO, "cannot write its output");
		off += (size_t)n;
	}
	w->len = 0;
	return 0;
}

bool eku_jsonw_complete(const eku_jsonw *w)
{
	return w->open == 0;
}

void eku_jsonw_set_error(eku_jsonw *w, enum eku_errcode code, const char *message)
{
	fail(w, code, message);
}

const eku_error *eku_jsonw_error(const eku_jsonw *w)
{
	return &w->err;
}
