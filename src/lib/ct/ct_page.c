/* A get-entries page (RFC 6962 4.6): detection, base64 and the decoding of
 * one entry's strings; the scanning of the JSON is ct_json.c. */
#include <stdlib.h>
#include <string.h>

#include <eku/ct.h>

#include "../base64.h"
#include "ct_int.h"

#define DETECT_WINDOW (64u * 1024u)

bool eku_ct_page_detect(const uint8_t *buf, size_t len)
{
	size_t i = 0, win;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i == len || buf[i] != '{')
		return false;
	win = len - i < DETECT_WINDOW ? len - i : DETECT_WINDOW;
	return memmem(buf + i, win, "\"entries\"", 9) != NULL;
}

/* RFC 4648 section 4, padding required. */
int eku_base64_decode(const char *s, size_t len, uint8_t **out, size_t *out_len, size_t *bad)
{
	uint8_t *o;
	size_t n = 0;

	*bad = len;
	if (len % 4 != 0) {
		*bad = len - len % 4;
		return -1;
	}
	if ((o = malloc(len / 4 * 3 + 1)) == NULL)
		return -1;
	/* Every quad but the last at once; the last (padding), and a quad that
	 * stopped them (to name its bad character), one character at a time. */
	n = len >= 4 ? 3 * eku_b64_quads((const uint8_t *)s, len / 4 - 1, o) : 0;
	for (size_t i = n / 3 * 4; i < len; i += 4) {
		int v[4], pad = 0;

		for (int k = 0; k < 4; k++) {
			bool last = i + 4 == len;

			v[k] = eku_b64_value[(unsigned char)s[i + k]];
			if (v[k] < 0 && last && s[i + k] == '=' && k >= 2 && (k == 3 || s[i + 3] == '=')) {
				v[k] = 0;
				pad++;
			} else if (v[k] < 0 || pad > 0) {
				*bad = i + k;
				free(o);
				return -1;
			}
		}
		o[n++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			o[n++] = (uint8_t)(v[1] << 4 | v[2] >> 2);
		if (pad < 1)
			o[n++] = (uint8_t)(v[2] << 6 | v[3]);
	}
	*out = o;
	*out_len = n;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* JSON string escapes (RFC 8259 section 7) of a span, into a new buffer. A
 * \u escape outside ASCII becomes 0x01, which no base64 alphabet holds. */
static int unescape(const struct ct_span *v, char **out, size_t *len)
{
	char *o = malloc(v->len + 1);
	size_t n = 0;

	if (o == NULL)
		return -1;
	for (size_t i = 0; i < v->len; i++) {
		char c = v->p[i];
		const char *e;
		unsigned u = 0;

		if (c != '\\') {
			o[n++] = c;
			continue;
		}
		if (++i >= v->len)
			goto bad;
		if ((e = strchr("\"\\/bfnrt", v->p[i])) != NULL && *e != '\0') {
			o[n++] = "\"\\/\b\f\n\r\t"[e - "\"\\/bfnrt"];
			continue;
		}
		if (v->p[i] != 'u' || i + 4 >= v->len)
			goto bad;
		for (int k = 1; k <= 4; k++) {
			int d = hexval(v->p[i + k]);

			if (d < 0)
				goto bad;
			u = u << 4 | (unsigned)d;
		}
		o[n++] = u < 0x80 ? (char)u : 0x01;
		i += 4;
	}
	*out = o;
	*len = n;
	return 0;
bad:
	free(o);
	return -1;
}

/* Base64 member `name` of an entry. */
static int member(const char *source, size_t index, const struct ct_span *v, const char *name,
	uint8_t **buf, size_t *len, eku_error *err)
{
	char *plain = NULL;
	size_t plain_len = 0, bad;
	int rc = -1;

	if (v == NULL) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s: entry %zu: %s: missing", source, index, name);
		return -1;
	}
	if (v->escaped && unescape(v, &plain, &plain_len) != 0) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s: entry %zu: %s: bad JSON escape", source, index, name);
		return -1;
	}
	if (eku_base64_decode(plain ? plain : v->p, plain ? plain_len : v->len, buf, len, &bad) != 0) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s: entry %zu: %s: bad base64 at character %zu",
			source, index, name, bad);
		goto out;
	}
	rc = 0;
out:
	free(plain);
	return rc;
}

/* extra_data of an entry: the cache's bytes when the span is the cache's,
 * else decoded into the cache. */
static int extra_data(const char *source, size_t index, const struct ct_span *v, struct ct_cache *cache,
	eku_error *err)
{
	uint8_t *buf;
	size_t len;

	if (v != NULL && cache->buf != NULL && v->len == cache->len && memcmp(v->p, cache->p, v->len) == 0)
		return 0;
	if (member(source, index, v, "extra_data", &buf, &len, err) != 0)
		return -1;
	free(cache->buf);
	*cache = (struct ct_cache){ .p = v->p, .len = v->len, .buf = buf, .buf_len = len };
	return 0;
}

int ct_entry_spans(const char *source, size_t index, const struct ct_span *leaf_s,
	const struct ct_span *extra_s, struct ct_cache *cache, eku_ct_entry_fn fn, void *arg, eku_error *err)
{
	uint8_t *leaf = NULL;
	size_t leaf_len;
	struct eku_ct_entry e;
	int rc = -1;

	if (member(source, index, leaf_s, "leaf_input", &leaf, &leaf_len, err) != 0 ||
	    extra_data(source, index, extra_s, cache, err) != 0)
		goto out;
	if (eku_ct_entry_decode(source, index, leaf, leaf_len, cache->buf, cache->buf_len, &e, err) != 0)
		goto out;
	if (fn(arg, &e, err) != 0) {
		eku_error_setx(err, EKU_E_INTERNAL, "%s: entry %zu: stopped", source, index);
		goto out;
	}
	rc = 0;
out:
	free(leaf);
	return rc;
}

long eku_ct_page_parse(const char *source, const uint8_t *buf, size_t len, eku_ct_entry_fn fn,
	void *arg, eku_error *err)
{
	struct ct_cache cache = { 0 };
	long n = ct_json_page(source, buf, len, &cache, fn, arg, err);

	free(cache.buf);
	return n;
}
