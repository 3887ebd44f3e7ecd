/* One get-entries entry: the MerkleTreeLeaf of leaf_input and the chain of
 * extra_data (RFC 6962 3.1, 3.4, 4.6), read through the bounded cursor. */
#include <string.h>

#include <eku/ct.h>
#include <eku/cursor.h>

/* Where a failure happened, for the message. */
struct where {
	const char *source;
	size_t index;
	eku_error *err;
};

static int fail(const struct where *w, const char *field, const char *what, size_t left)
{
	eku_error_set(w->err, EKU_E_BAD_DATA, "%s: entry %zu: %s: %s (%zu bytes left)", w->source,
		w->index, field, what, left);
	return -1;
}

/* An opaque<1..2^24-1> vector. */
static int vec24(const struct where *w, eku_cursor *c, const char *field, const uint8_t **p,
	size_t *len)
{
	uint32_t n;

	if (eku_cursor_u24(c, &n) != 0)
		return fail(w, field, "truncated 24-bit length", c->left);
	if (n > c->left) {
		eku_error_set(w->err, EKU_E_BAD_DATA,
			"%s: entry %zu: %s: length %u exceeds the %zu bytes left", w->source, w->index,
			field, (unsigned)n, c->left);
		return -1;
	}
	if (n == 0)
		return fail(w, field, "empty", c->left);
	*len = n;
	return eku_cursor_bytes(c, n, p);
}

static int leaf_header(const struct where *w, eku_cursor *c, struct eku_ct_entry *e)
{
	const uint8_t *head, *ts;
	uint8_t version, leaf_type;
	uint16_t type;

	if (eku_cursor_bytes(c, 2, &head) != 0)
		return fail(w, "leaf_input", "truncated MerkleTreeLeaf header", c->left);
	version = head[0];
	leaf_type = head[1];
	if (version != 0) {
		eku_error_set(w->err, EKU_E_BAD_DATA, "%s: entry %zu: leaf_input: version %u, want 0 (v1)",
			w->source, w->index, version);
		return -1;
	}
	if (leaf_type != 0) {
		eku_error_set(w->err, EKU_E_BAD_DATA,
			"%s: entry %zu: leaf_input: leaf_type %u, want 0 (timestamped_entry)", w->source,
			w->index, leaf_type);
		return -1;
	}
	if (eku_cursor_bytes(c, 8, &ts) != 0)
		return fail(w, "leaf_input: timestamp", "truncated", c->left);
	e->timestamp = 0;
	for (int i = 0; i < 8; i++)
		e->timestamp = e->timestamp << 8 | ts[i];
	if (eku_cursor_u16(c, &type) != 0)
		return fail(w, "leaf_input: entry_type", "truncated", c->left);
	if (type != EKU_CT_X509_ENTRY && type != EKU_CT_PRECERT_ENTRY) {
		eku_error_set(w->err, EKU_E_BAD_DATA,
			"%s: entry %zu: leaf_input: entry_type %u, want 0 (x509_entry) or 1 (precert_entry)",
			w->source, w->index, type);
		return -1;
	}
	e->type = type;
	return 0;
}

static int leaf_body(const struct where *w, eku_cursor *c, struct eku_ct_entry *e)
{
	const uint8_t *tbs;
	size_t tbs_len;
	uint16_t ext;

	if (e->type == EKU_CT_X509_ENTRY) {
		if (vec24(w, c, "leaf_input: ASN.1Cert", &e->cert, &e->cert_len) != 0)
			return -1;
	} else {
		if (eku_cursor_bytes(c, 32, &e->issuer_key_hash) != 0)
			return fail(w, "leaf_input: issuer_key_hash", "truncated", c->left);
		if (vec24(w, c, "leaf_input: TBSCertificate", &tbs, &tbs_len) != 0)
			return -1;
	}
	if (eku_cursor_u16(c, &ext) != 0)
		return fail(w, "leaf_input: extensions", "truncated 16-bit length", c->left);
	if (eku_cursor_skip(c, ext) != 0) {
		eku_error_set(w->err, EKU_E_BAD_DATA,
			"%s: entry %zu: leaf_input: extensions: length %u exceeds the %zu bytes left",
			w->source, w->index, ext, c->left);
		return -1;
	}
	if (!eku_cursor_empty(c))
		return fail(w, "leaf_input", "trailing bytes after the MerkleTreeLeaf", c->left);
	return 0;
}

static int chain(const struct where *w, eku_cursor *c, struct eku_ct_entry *e)
{
	uint32_t n;
	eku_cursor certs;

	/* An empty chain is legal (a log may hold the root of a leaf itself). */
	if (eku_cursor_u24(c, &n) != 0)
		return fail(w, "extra_data: certificate_chain", "truncated 24-bit length", c->left);
	if (eku_cursor_sub(c, n, &certs) != 0) {
		eku_error_set(w->err, EKU_E_BAD_DATA,
			"%s: entry %zu: extra_data: certificate_chain: length %u exceeds the %zu bytes left",
			w->source, w->index, (unsigned)n, c->left);
		return -1;
	}
	while (!eku_cursor_empty(&certs)) {
		if (e->n_chain == EKU_CT_MAX_CHAIN) {
			eku_error_set(w->err, EKU_E_BAD_DATA,
				"%s: entry %zu: extra_data: certificate_chain: more than %d certificates",
				w->source, w->index, EKU_CT_MAX_CHAIN);
			return -1;
		}
		if (vec24(w, &certs, "extra_data: certificate_chain: ASN.1Cert", &e->chain[e->n_chain],
			    &e->chain_len[e->n_chain]) != 0)
			return -1;
		e->n_chain++;
	}
	if (!eku_cursor_empty(c))
		return fail(w, "extra_data", "trailing bytes after the certificate_chain", c->left);
	return 0;
}

int eku_ct_entry_decode(const char *source, size_t index, const uint8_t *leaf, size_t leaf_len,
	const uint8_t *extra, size_t extra_len, struct eku_ct_entry *e, eku_error *err)
{
	struct where w = { source, index, err };
	eku_cursor lc = eku_cursor_make(leaf, leaf_len), xc = eku_cursor_make(extra, extra_len);

	memset(e, 0, sizeof(*e));
	e->index = index;
	if (leaf_header(&w, &lc, e) != 0 || leaf_body(&w, &lc, e) != 0)
		return -1;
	if (e->type == EKU_CT_PRECERT_ENTRY &&
	    vec24(&w, &xc, "extra_data: pre_certificate", &e->cert, &e->cert_len) != 0)
		return -1;
	return chain(&w, &xc, e);
}
