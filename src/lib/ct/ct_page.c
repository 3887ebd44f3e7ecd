/* A get-entries page (RFC 6962 4.6): JSON around base64 entries. The page is
 * one jansson tree; entries are decoded and handed on one at a time. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <eku/ct.h>

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

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
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
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;

		for (int k = 0; k < 4; k++) {
			bool last = i + 4 == len;

			v[k] = b64val((unsigned char)s[i + k]);
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

/* Base64 member `name` of entry object `o`. */
static int member(const char *source, size_t index, json_t *o, const char *name, uint8_t **buf,
	size_t *len, eku_error *err)
{
	json_t *v = json_object_get(o, name);
	size_t bad;

	if (!json_is_string(v)) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s: entry %zu: %s: %s", source, index, name,
			v == NULL ? "missing" : "not a string");
		return -1;
	}
	if (eku_base64_decode(json_string_value(v), json_string_length(v), buf, len, &bad) != 0) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s: entry %zu: %s: bad base64 at character %zu",
			source, index, name, bad);
		return -1;
	}
	return 0;
}

static int one_entry(const char *source, size_t index, json_t *o, eku_ct_entry_fn fn, void *arg,
	eku_error *err)
{
	uint8_t *leaf = NULL, *extra = NULL;
	size_t leaf_len, extra_len;
	struct eku_ct_entry e;
	int rc = -1;

	if (!json_is_object(o)) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s: entry %zu: not a JSON object", source, index);
		goto out;
	}
	if (member(source, index, o, "leaf_input", &leaf, &leaf_len, err) != 0 ||
	    member(source, index, o, "extra_data", &extra, &extra_len, err) != 0)
		goto out;
	if (eku_ct_entry_decode(source, index, leaf, leaf_len, extra, extra_len, &e, err) != 0)
		goto out;
	if (fn(arg, &e, err) != 0) {
		eku_error_setx(err, EKU_E_INTERNAL, "%s: entry %zu: stopped", source, index);
		goto out;
	}
	rc = 0;
out:
	free(leaf);
	free(extra);
	return rc;
}

long eku_ct_page_parse(const char *source, const uint8_t *buf, size_t len, eku_ct_entry_fn fn,
	void *arg, eku_error *err)
{
	json_error_t je;
	json_t *root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je), *entries;
	long rc = -1;
	size_t i;

	if (root == NULL) {
		eku_error_set(err, EKU_E_BAD_DATA, "%s:%d:%d: not a CT get-entries page: %s", source,
			je.line, je.column, je.text);
		goto out;
	}
	entries = json_object_get(root, "entries");
	if (!json_is_array(entries)) {
		eku_error_set(err, EKU_E_BAD_DATA,
			"%s: not a CT get-entries page: no \"entries\" array (RFC 6962 4.6)", source);
		goto out;
	}
	for (i = 0; i < json_array_size(entries); i++) {
		if (one_entry(source, i, json_array_get(entries, i), fn, arg, err) != 0)
			goto out;
		/* Free what is done so the tree shrinks as the page is read. */
		json_object_clear(json_array_get(entries, i));
	}
	rc = (long)i;
out:
	json_decref(root);
	return rc;
}
