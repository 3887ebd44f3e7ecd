/* ct: get-entries entries and pages (RFC 6962 3.4, 4.6) built here from the
 * fixtures, and every malformed variant with its exact message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "fixtures.h"

#include <eku/cert.h>
#include <eku/ct.h>

/* A byte builder big enough for a few certificates. */
struct buf {
	uint8_t b[32768];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->b));
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put_uint(struct buf *b, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--) {
		uint8_t c = (uint8_t)(v >> (8 * i));
		put(b, &c, 1);
	}
}

static void put_vec24(struct buf *b, const uint8_t *p, size_t n)
{
	put_uint(b, n, 3);
	put(b, p, n);
}

/* DER of the first certificate of a fixture (malloc'd). */
static uint8_t *der_of(const char *name, size_t *len)
{
	eku_certlist *l = fixture_load(fixture(name));
	uint8_t *der = NULL;
	int n = i2d_X509(eku_cert_get0_x509(eku_certlist_get0(l, 0)), &der);

	assert_true(n > 0);
	*len = (size_t)n;
	eku_certlist_free(l);
	return der;
}

/* MerkleTreeLeaf header: v1, timestamped_entry, timestamp, entry_type. */
static void leaf_head(struct buf *b, uint8_t version, uint8_t leaf_type, uint16_t type)
{
	put_uint(b, version, 1);
	put_uint(b, leaf_type, 1);
	put_uint(b, 1767225600000ull, 8); /* 2026-01-01T00:00:00Z */
	put_uint(b, type, 2);
}

struct fixt {
	uint8_t *leaf, *ca, *root, *pre, *ctca;
	size_t leaf_len, ca_len, root_len, pre_len, ctca_len;
};

static void fixt_load(struct fixt *f)
{
	f->leaf = der_of("leaf-dual.pem", &f->leaf_len);
	f->ca = der_of("private-ca.pem", &f->ca_len);
	f->root = der_of("private-root.pem", &f->root_len);
	f->pre = der_of("precert-dual.pem", &f->pre_len);
	f->ctca = der_of("ct-ca.pem", &f->ctca_len);
}

static void fixt_free(struct fixt *f)
{
	OPENSSL_free(f->leaf);
	OPENSSL_free(f->ca);
	OPENSSL_free(f->root);
	OPENSSL_free(f->pre);
	OPENSSL_free(f->ctca);
}

/* A well-formed x509_entry: leaf-dual with [private-ca, private-root]. */
static void x509_entry(const struct fixt *f, struct buf *leaf, struct buf *extra)
{
	struct buf chain = { .n = 0 };

	leaf_head(leaf, 0, 0, 0);
	put_vec24(leaf, f->leaf, f->leaf_len);
	put_uint(leaf, 0, 2);
	put_vec24(&chain, f->ca, f->ca_len);
	put_vec24(&chain, f->root, f->root_len);
	put_vec24(extra, chain.b, chain.n);
}

/* A well-formed precert_entry: the TBS in leaf_input, the pre_certificate
 * (with the poison extension) and [ct-ca] in extra_data. */
static void precert_entry(const struct fixt *f, struct buf *leaf, struct buf *extra)
{
	static const uint8_t ikh[32] = { 0xaa };
	struct buf chain = { .n = 0 };

	leaf_head(leaf, 0, 0, 1);
	put(leaf, ikh, sizeof(ikh));
	put_vec24(leaf, f->pre + 4, 40); /* some TBS bytes: never parsed */
	put_uint(leaf, 0, 2);
	put_vec24(extra, f->pre, f->pre_len);
	put_vec24(&chain, f->ctca, f->ctca_len);
	put_vec24(extra, chain.b, chain.n);
}

static void test_x509_entry(void **state)
{
	struct fixt f;
	struct buf leaf = { .n = 0 }, extra = { .n = 0 };
	struct eku_ct_entry e;
	eku_error err = { 0 };

	(void)state;
	fixt_load(&f);
	x509_entry(&f, &leaf, &extra);
	assert_int_equal(eku_ct_entry_decode("p.json", 7, leaf.b, leaf.n, extra.b, extra.n, &e, &err), 0);
	assert_int_equal(e.index, 7);
	assert_int_equal(e.type, EKU_CT_X509_ENTRY);
	assert_true(e.timestamp == 1767225600000ull);
	assert_null(e.issuer_key_hash);
	assert_int_equal(e.cert_len, f.leaf_len);
	assert_memory_equal(e.cert, f.leaf, f.leaf_len);
	assert_int_equal(e.n_chain, 2);
	assert_int_equal(e.chain_len[1], f.root_len);
	assert_memory_equal(e.chain[1], f.root, f.root_len);
	fixt_free(&f);
}

static void test_precert_entry(void **state)
{
	struct fixt f;
	struct buf leaf = { .n = 0 }, extra = { .n = 0 };
	struct eku_ct_entry e;
	eku_error err = { 0 };
	eku_cert *c;

	(void)state;
	fixt_load(&f);
	precert_entry(&f, &leaf, &extra);
	assert_int_equal(eku_ct_entry_decode("p.json", 0, leaf.b, leaf.n, extra.b, extra.n, &e, &err), 0);
	assert_int_equal(e.type, EKU_CT_PRECERT_ENTRY);
	assert_non_null(e.issuer_key_hash);
	assert_int_equal(e.issuer_key_hash[0], 0xaa);
	assert_int_equal(e.cert_len, f.pre_len);
	assert_memory_equal(e.cert, f.pre, f.pre_len);
	assert_int_equal(e.n_chain, 1);
	/* The pre_certificate is a certificate the loader reads, poison and all. */
	c = eku_cert_new_der(e.cert, e.cert_len, "p.json", 1, &err);
	assert_non_null(c);
	assert_string_equal(eku_cert_facts(c)->subject, "CN=precert.example.test");
	assert_int_equal(eku_cert_facts(c)->eku_class, EKU_CLASS_SERVER_CLIENT);
	eku_cert_free(c);
	fixt_free(&f);
}

/* Malformed entries: what is broken, and the exact message. */
enum mut { M_TRUNC_HEAD, M_VERSION, M_LEAF_TYPE, M_ENTRY_TYPE, M_TRUNC_TS, M_CERT_LEN, M_EXT_LEN,
	M_TRAILING, M_CHAIN_LEN, M_CHAIN_CERT_LEN, M_CHAIN_EMPTY_CERT, M_NO_CHAIN, M_PRE_LEN, M_MANY };

static const struct {
	const char *name;
	enum mut m;
	const char *want;
} bad[] = {
	{ "one byte of leaf", M_TRUNC_HEAD,
	  "p.json: entry 3: leaf_input: truncated MerkleTreeLeaf header (1 bytes left)" },
	{ "version 1", M_VERSION, "p.json: entry 3: leaf_input: version 1, want 0 (v1)" },
	{ "leaf_type 1", M_LEAF_TYPE, "p.json: entry 3: leaf_input: leaf_type 1, want 0 (timestamped_entry)" },
	{ "entry_type 2", M_ENTRY_TYPE,
	  "p.json: entry 3: leaf_input: entry_type 2, want 0 (x509_entry) or 1 (precert_entry)" },
	{ "timestamp cut", M_TRUNC_TS, "p.json: entry 3: leaf_input: timestamp: truncated (5 bytes left)" },
	{ "ASN.1Cert length past the end", M_CERT_LEN,
	  "p.json: entry 3: leaf_input: ASN.1Cert: length 16777215 exceeds the 10 bytes left" },
	{ "extensions length past the end", M_EXT_LEN,
	  "p.json: entry 3: leaf_input: extensions: length 65535 exceeds the 0 bytes left" },
	{ "bytes after the leaf", M_TRAILING,
	  "p.json: entry 3: leaf_input: trailing bytes after the MerkleTreeLeaf (2 bytes left)" },
	{ "chain length overflows extra_data", M_CHAIN_LEN,
	  "p.json: entry 3: extra_data: certificate_chain: length 16777215 exceeds the 4 bytes left" },
	{ "chain certificate length overflows the chain", M_CHAIN_CERT_LEN,
	  "p.json: entry 3: extra_data: certificate_chain: ASN.1Cert: length 4096 exceeds the 1 bytes left" },
	{ "empty chain certificate", M_CHAIN_EMPTY_CERT,
	  "p.json: entry 3: extra_data: certificate_chain: ASN.1Cert: empty (0 bytes left)" },
	{ "no chain at all", M_NO_CHAIN,
	  "p.json: entry 3: extra_data: certificate_chain: truncated 24-bit length (0 bytes left)" },
	{ "pre_certificate length overflows", M_PRE_LEN,
	  "p.json: entry 3: extra_data: pre_certificate: length 9999999 exceeds the 0 bytes left" },
	{ "33 chain certificates", M_MANY,
	  "p.json: entry 3: extra_data: certificate_chain: more than 32 certificates" },
};

static void build_bad(const struct fixt *f, enum mut m, struct buf *leaf, struct buf *extra)
{
	struct buf chain = { .n = 0 };

	switch (m) {
	case M_TRUNC_HEAD: put_uint(leaf, 0, 1); put_uint(extra, 0, 3); return;
	case M_VERSION: leaf_head(leaf, 1, 0, 0); return;
	case M_LEAF_TYPE: leaf_head(leaf, 0, 1, 0); return;
	case M_ENTRY_TYPE: leaf_head(leaf, 0, 0, 2); return;
	case M_TRUNC_TS: put_uint(leaf, 0, 2); put_uint(leaf, 1, 5); return;
	case M_CERT_LEN: leaf_head(leaf, 0, 0, 0); put_uint(leaf, 0xffffff, 3); put(leaf, "0123456789", 10); return;
	case M_EXT_LEN: leaf_head(leaf, 0, 0, 0); put_vec24(leaf, f->leaf, f->leaf_len); put_uint(leaf, 0xffff, 2); return;
	case M_TRAILING:
		x509_entry(f, leaf, extra);
		put_uint(leaf, 0, 2);
		return;
	case M_CHAIN_LEN:
		leaf_head(leaf, 0, 0, 0); put_vec24(leaf, f->leaf, f->leaf_len); put_uint(leaf, 0, 2);
		put_uint(extra, 0xffffff, 3); put_uint(extra, 0, 4);
		return;
	case M_CHAIN_CERT_LEN:
		leaf_head(leaf, 0, 0, 0); put_vec24(leaf, f->leaf, f->leaf_len); put_uint(leaf, 0, 2);
		put_uint(extra, 4, 3); put_uint(extra, 4096, 3); put_uint(extra, 0, 1);
		return;
	case M_CHAIN_EMPTY_CERT:
		leaf_head(leaf, 0, 0, 0); put_vec24(leaf, f->leaf, f->leaf_len); put_uint(leaf, 0, 2);
		put_uint(extra, 3, 3); put_uint(extra, 0, 3);
		return;
	case M_NO_CHAIN:
		leaf_head(leaf, 0, 0, 0); put_vec24(leaf, f->leaf, f->leaf_len); put_uint(leaf, 0, 2);
		return;
	case M_PRE_LEN:
		precert_entry(f, leaf, &chain);
		put_uint(extra, 9999999, 3);
		return;
	case M_MANY:
		leaf_head(leaf, 0, 0, 0); put_vec24(leaf, f->leaf, f->leaf_len); put_uint(leaf, 0, 2);
		for (int i = 0; i < 33; i++)
			put_vec24(&chain, (const uint8_t *)"x", 1);
		put_vec24(extra, chain.b, chain.n);
		return;
	}
}

static void test_malformed(void **state)
{
	struct fixt f;

	(void)state;
	fixt_load(&f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf *leaf = calloc(1, sizeof(*leaf)), *extra = calloc(1, sizeof(*extra));
		struct eku_ct_entry e;
		eku_error err = { 0 };

		build_bad(&f, bad[i].m, leaf, extra);
		if (eku_ct_entry_decode("p.json", 3, leaf->b, leaf->n, extra->b, extra->n, &e, &err) == 0)
			fail_msg("%s: accepted", bad[i].name);
		assert_int_equal(err.code, EKU_E_BAD_DATA);
		if (strcmp(err.message, bad[i].want) != 0)
			fail_msg("%s:\n got  %s\n want %s", bad[i].name, err.message, bad[i].want);
		free(leaf);
		free(extra);
	}
	fixt_free(&f);
}

/* --- pages -------------------------------------------------------------- */

static char *b64(const struct buf *b)
{
	char *s = malloc(b->n / 3 * 4 + 8);

	EVP_EncodeBlock((unsigned char *)s, b->b, (int)b->n);
	return s;
}

struct seen {
	int n;
	enum eku_ct_entry_type type[4];
	size_t index[4];
};

static int on_entry(void *arg, const struct eku_ct_entry *e, eku_error *err)
{
	struct seen *s = arg;

	(void)err;
	s->type[s->n] = e->type;
	s->index[s->n++] = e->index;
	return 0;
}

static char *page(const struct fixt *f, const char *extra_override)
{
	struct buf *l1 = calloc(1, sizeof(*l1)), *x1 = calloc(1, sizeof(*x1));
	struct buf *l2 = calloc(1, sizeof(*l2)), *x2 = calloc(1, sizeof(*x2));
	char *a, *b, *c, *d, *out;

	x509_entry(f, l1, x1);
	precert_entry(f, l2, x2);
	a = b64(l1), b = b64(x1), c = b64(l2), d = b64(x2);
	assert_true(asprintf(&out, "  {\"entries\": [{\"leaf_input\":\"%s\",\"extra_data\":\"%s\"},\n"
		"{\"leaf_input\":\"%s\",\"extra_data\":\"%s\"}]}\n", a, b, c,
		extra_override ? extra_override : d) > 0);
	free(a), free(b), free(c), free(d);
	free(l1), free(x1), free(l2), free(x2);
	return out;
}

static void test_page(void **state)
{
	struct fixt f;
	struct seen s = { 0 };
	eku_error err = { 0 };
	char *p;

	(void)state;
	fixt_load(&f);
	p = page(&f, NULL);
	assert_true(eku_ct_page_detect((const uint8_t *)p, strlen(p)));
	assert_int_equal(eku_ct_page_parse("p.json", (const uint8_t *)p, strlen(p), on_entry, &s, &err), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.type[0], EKU_CT_X509_ENTRY);
	assert_int_equal(s.type[1], EKU_CT_PRECERT_ENTRY);
	assert_int_equal(s.index[1], 1);
	free(p);
	fixt_free(&f);
}

static const struct {
	const char *name, *text, *want;
} bad_pages[] = {
	{ "cut short", "{\"entries\": [", "p.json:1:14: not a CT get-entries page: unexpected end of input" },
	{ "not JSON", "-----BEGIN", "p.json:1:1: not a CT get-entries page: expected '{' at the start of the page" },
	{ "second line", "{\"entries\": [],\n \"x\": 1 2}", "p.json:2:9: not a CT get-entries page: expected ',' or '}'" },
	{ "unterminated string", "{\"entries\": [{\"leaf_input\":\"AAAA", "p.json:1:28: not a CT get-entries page: unterminated string" },
	{ "control character", "{\"entries\": [{\"leaf_input\":\"A\nA\"", "p.json:1:30: not a CT get-entries page: control character in a string" },
	{ "duplicate entries", "{\"entries\": [], \"entries\": []}", "p.json:1:17: not a CT get-entries page: duplicate \"entries\"" },
	{ "data after the page", "{\"entries\": []} {}", "p.json:1:17: not a CT get-entries page: data after the page" },
	{ "entries not an array", "{\"entries\": {}}", "p.json: not a CT get-entries page: no \"entries\" array (RFC 6962 4.6)" },
	{ "bad escape", "{\"entries\": [{\"leaf_input\":\"A\\qAA\",\"extra_data\":\"\"}]}",
	  "p.json: entry 0: leaf_input: bad JSON escape" },
	{ "no entries", "{\"sth\": 1}", "p.json: not a CT get-entries page: no \"entries\" array (RFC 6962 4.6)" },
	{ "entry not an object", "{\"entries\": [3]}", "p.json: entry 0: not a JSON object" },
	{ "missing extra_data", "{\"entries\": [{\"leaf_input\":\"AAAA\"}]}", "p.json: entry 0: extra_data: missing" },
	{ "leaf_input a number", "{\"entries\": [{\"leaf_input\":1,\"extra_data\":\"\"}]}",
	  "p.json: entry 0: leaf_input: not a string" },
	{ "bad base64", "{\"entries\": [{\"leaf_input\":\"AA*A\",\"extra_data\":\"\"}]}",
	  "p.json: entry 0: leaf_input: bad base64 at character 2" },
	{ "base64 not a multiple of 4", "{\"entries\": [{\"leaf_input\":\"AAAAA\",\"extra_data\":\"\"}]}",
	  "p.json: entry 0: leaf_input: bad base64 at character 4" },
};

static void test_bad_pages(void **state)
{
	struct fixt f;
	struct seen s = { 0 };
	eku_error err = { 0 };
	char *p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_pages) / sizeof(bad_pages[0]); i++) {
		const char *t = bad_pages[i].text;

		memset(&s, 0, sizeof(s));
		eku_error_clear(&err);
		if (eku_ct_page_parse("p.json", (const uint8_t *)t, strlen(t), on_entry, &s, &err) != -1)
			fail_msg("%s: accepted", bad_pages[i].name);
		if (strncmp(err.message, bad_pages[i].want, strlen(bad_pages[i].want)) != 0)
			fail_msg("%s:\n got  %s\n want %s", bad_pages[i].name, err.message, bad_pages[i].want);
	}
	/* A bad second entry stops the page after the first was handed on. */
	fixt_load(&f);
	memset(&s, 0, sizeof(s));
	p = page(&f, "AAAA");
	assert_int_equal(eku_ct_page_parse("p.json", (const uint8_t *)p, strlen(p), on_entry, &s, &err), -1);
	assert_int_equal(s.n, 1);
	assert_string_equal(err.message,
		"p.json: entry 1: extra_data: pre_certificate: empty (0 bytes left)");
	free(p);
	fixt_free(&f);
}

/* Escaped slashes, unknown members and nesting are read past; nesting
 * beyond 64 levels is refused instead of recursing on. */
static void test_page_json_forms(void **state)
{
	static const char ok[] = "{\"x\": {\"a\": [1, -2.5e3, true, false, null, \"s\\\"\"]},\n"
		" \"entries\": [{\"leaf_input\": \"AA\\/A\", \"skip\": [[]], \"extra_data\": \"AAAA\"}]}";
	struct seen s = { 0 };
	eku_error err = { 0 };
	char deep[300];
	size_t n = 0;

	(void)state;
	/* Reaches the entry: "AA/A" is base64 for 00 0f c0, leaf_type 15. */
	assert_int_equal(eku_ct_page_parse("p.json", (const uint8_t *)ok, strlen(ok), on_entry, &s, &err), -1);
	assert_string_equal(err.message, "p.json: entry 0: leaf_input: leaf_type 15, want 0 (timestamped_entry)");
	n += (size_t)snprintf(deep, sizeof(deep), "{\"x\": ");
	for (int i = 0; i < 70; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	eku_error_clear(&err);
	assert_int_equal(eku_ct_page_parse("p.json", (const uint8_t *)deep, n, on_entry, &s, &err), -1);
	assert_non_null(strstr(err.message, "nested deeper than 64 levels"));
}

static void test_detect_and_base64(void **state)
{
	uint8_t *out;
	size_t len, at;

	(void)state;
	assert_true(eku_ct_page_detect((const uint8_t *)"\n {\"entries\":[]}", 16));
	assert_false(eku_ct_page_detect((const uint8_t *)"{\"other\":[]}", 12));
	assert_false(eku_ct_page_detect((const uint8_t *)"-----BEGIN \"entries\"", 20));
	assert_false(eku_ct_page_detect((const uint8_t *)"", 0));
	assert_int_equal(eku_base64_decode("TWFu", 4, &out, &len, &at), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(out, "Man", 3);
	free(out);
	assert_int_equal(eku_base64_decode("TWE=", 4, &out, &len, &at), 0);
	assert_int_equal(len, 2);
	free(out);
	assert_int_equal(eku_base64_decode("TQ==", 4, &out, &len, &at), 0);
	assert_int_equal(len, 1);
	free(out);
	assert_int_equal(eku_base64_decode("", 0, &out, &len, &at), 0);
	assert_int_equal(len, 0);
	free(out);
	assert_int_equal(eku_base64_decode("T=QA", 4, &out, &len, &at), -1);
	assert_int_equal(at, 1);
	assert_int_equal(eku_base64_decode("TQ==TWFu", 8, &out, &len, &at), -1);
	assert_int_equal(at, 2);
	assert_int_equal(eku_base64_decode("TQ=A", 4, &out, &len, &at), -1);
	assert_int_equal(at, 2);
}

/* The quad loop against OpenSSL's encoder: random bytes of every length up
 * to 200 encode (EVP_EncodeBlock) and decode back; one character replaced
 * by a non-alphabet byte anywhere is refused at exactly that offset, or at
 * the padding '=' it follows in the last quad. */
static void test_base64_differential(void **state)
{
	static const char junk[] = { '*', '-', '\n', ' ', '"', (char)0x80, (char)0xff, '.' };
	unsigned seed = 7;
	uint8_t raw[200], *out;
	char enc[300];
	size_t len, at;

	(void)state;
	for (size_t n = 0; n <= sizeof(raw); n++) {
		int elen;
		for (size_t i = 0; i < n; i++)
			raw[i] = (uint8_t)rand_r(&seed);
		elen = EVP_EncodeBlock((unsigned char *)enc, raw, (int)n);
		assert_int_equal(eku_base64_decode(enc, (size_t)elen, &out, &len, &at), 0);
		assert_int_equal(len, n);
		assert_memory_equal(out, raw, n);
		free(out);
		for (int k = 0; k < elen; k++) {
			char keep = enc[k];
			enc[k] = junk[(size_t)k % sizeof(junk)];
			if (eku_base64_decode(enc, (size_t)elen, &out, &len, &at) != -1)
				fail_msg("length %zu: junk at %d accepted", n, k);
			/* a '=' before k in the same quad is where it went wrong:
			 * padding followed by something else */
			size_t want = (size_t)k;
			for (int j = k - k % 4; j < k; j++)
				if (enc[j] == '=') {
					want = (size_t)j;
					break;
				}
			assert_int_equal(at, want);
			enc[k] = keep;
		}
	}
}

/* String scanning eight bytes at a time: an escape or a control character
 * at every offset of a long base64 string is still seen. "\/" is '/' in
 * JSON, so the entry decodes as without it; a TAB is refused with its
 * column. */
static void test_page_string_offsets(void **state)
{
	char page[512], member[200];
	struct seen s;
	eku_error err = { 0 };

	(void)state;
	for (size_t off = 0; off < 40; off++) {
		/* "AAAA...": leaf_input of zero bytes is malformed, but the
		 * error names the entry only after the string was read. */
		memset(member, 'A', sizeof(member));
		member[off] = '\t';
		member[120] = '\0';
		snprintf(page, sizeof(page), "{\"entries\": [{\"leaf_input\":\"%s\",\"extra_data\":\"\"}]}", member);
		memset(&s, 0, sizeof(s));
		eku_error_clear(&err);
		assert_int_equal(eku_ct_page_parse("p.json", (const uint8_t *)page, strlen(page), on_entry, &s, &err), -1);
		if (strstr(err.message, "control character in a string") == NULL)
			fail_msg("offset %zu: %s", off, err.message);
		memset(member, 'A', sizeof(member));
		member[off] = '\\';
		member[off + 1] = '/';
		member[121] = '\0';
		snprintf(page, sizeof(page), "{\"entries\": [{\"leaf_input\":\"%s\",\"extra_data\":\"\"}]}", member);
		eku_error_clear(&err);
		assert_int_equal(eku_ct_page_parse("p.json", (const uint8_t *)page, strlen(page), on_entry, &s, &err), -1);
		/* The escape was seen and undone: the base64 decodes (a
		 * backslash would be "bad base64"), and the entry's binary
		 * layout is what fails. */
		if (strstr(err.message, "p.json: entry 0: leaf_input") == NULL ||
		    strstr(err.message, "base64") != NULL || strstr(err.message, "escape") != NULL)
			fail_msg("offset %zu: %s", off, err.message);
	}
	eku_error_clear(&err);
}

struct chains {
	int n;
	enum eku_ct_entry_type type[8];
	size_t n_chain[8], first_len[8], cert_len[8];
};

static int on_chain(void *arg, const struct eku_ct_entry *e, eku_error *err)
{
	struct chains *c = arg;

	(void)err;
	c->type[c->n] = e->type;
	c->n_chain[c->n] = e->n_chain;
	c->first_len[c->n] = e->n_chain > 0 ? e->chain_len[0] : 0;
	c->cert_len[c->n++] = e->cert_len;
	return 0;
}

/* An extra_data equal to the previous entry's is not decoded again: the
 * entries of x509, precert, x509, x509, precert each still get their own
 * chain (and a precert its own pre_certificate), whatever came before. */
static void test_page_repeated_extra(void **state)
{
	static const int kinds[] = { 0, 1, 0, 0, 1 };
	struct fixt f;
	struct chains c = { 0 };
	eku_error err = { 0 };
	char *ent[2][2], *page = NULL, *grown;
	size_t n = 0;

	(void)state;
	fixt_load(&f);
	for (int k = 0; k < 2; k++) {
		struct buf *l = calloc(1, sizeof(*l)), *x = calloc(1, sizeof(*x));
		if (k == 0)
			x509_entry(&f, l, x);
		else
			precert_entry(&f, l, x);
		ent[k][0] = b64(l);
		ent[k][1] = b64(x);
		free(l), free(x);
	}
	assert_true(asprintf(&page, "{\"entries\": [") > 0);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++, n++) {
		assert_true(asprintf(&grown, "%s%s{\"leaf_input\":\"%s\",\"extra_data\":\"%s\"}", page,
			i ? "," : "", ent[kinds[i]][0], ent[kinds[i]][1]) > 0);
		free(page);
		page = grown;
	}
	assert_true(asprintf(&grown, "%s]}", page) > 0);
	free(page);
	page = grown;
	assert_int_equal(eku_ct_page_parse("p.json", (const uint8_t *)page, strlen(page), on_chain, &c, &err), (long)n);
	for (size_t i = 0; i < n; i++) {
		bool pre = kinds[i] == 1;
		assert_int_equal(c.type[i], pre ? EKU_CT_PRECERT_ENTRY : EKU_CT_X509_ENTRY);
		assert_int_equal(c.n_chain[i], pre ? 1 : 2);
		assert_int_equal(c.first_len[i], pre ? f.ctca_len : f.ca_len);
		assert_int_equal(c.cert_len[i], pre ? f.pre_len : f.leaf_len);
	}
	for (int k = 0; k < 2; k++)
		free(ent[k][0]), free(ent[k][1]);
	free(page);
	fixt_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x509_entry),
		cmocka_unit_test(test_precert_entry),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_bad_pages),
		cmocka_unit_test(test_page_json_forms),
		cmocka_unit_test(test_detect_and_base64),
		cmocka_unit_test(test_base64_differential),
		cmocka_unit_test(test_page_repeated_extra),
		cmocka_unit_test(test_page_string_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
