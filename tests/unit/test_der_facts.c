/* Differential test of the DER facts walker (src/lib/der/) against the
 * OpenSSL oracle (eku_facts_from_der_oracle): every certificate of the
 * system bundle, tests/data and ../shared/testdata, plus truncated and
 * byte-flipped copies of each. Both must accept or refuse alike, and agree
 * on every field when they accept. */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <eku/cert.h>

#include "cert_int.h"
#include "fixtures.h"
#include "cert_load_int.h"
#include "der/der.h"
#include "base64.h"

struct stats {
	size_t certs, fast, mutants, mutants_fast;
};

static void show(const char *what, const struct eku_facts *f)
{
	fprintf(stderr, "  %s: subject=%s issuer=%s serial=%s key=%s/%d/%s sig=%s eku=%d/%d ku=%d/%x "
		"bc=%d/%d/%ld san=%zu ski=%s aki=%s scts=%d ss=%d serve=%d client=%d nb=%lld na=%lld\n",
		what, f->subject, f->issuer, f->serial, f->key_type, f->key_bits,
		f->curve ? f->curve : "-", f->sig_alg, f->has_eku, f->eku_class, f->has_key_usage,
		f->key_usage, f->has_basic_constraints, f->is_ca, f->path_len, f->n_san,
		f->ski ? f->ski : "-", f->aki ? f->aki : "-", f->n_scts, f->self_signed,
		f->can_serve, f->can_client, (long long)f->not_before, (long long)f->not_after);
}

static int failures;
/* Compares both paths on one input; returns 1 when the walker answered. */
static int compare(const char *file, int idx, const char *variant, const uint8_t *der, size_t len)
{
	eku_error e1 = { 0 }, e2 = { 0 };
	struct eku_facts *fast = eku_der_facts(der, len);
	struct eku_facts *slow = eku_facts_from_der_oracle(der, len, &e1);
	struct eku_facts *pub = eku_facts_from_der(der, len, &e2);
	const char *d;
	int answered = fast != NULL;

	if (fast != NULL && slow == NULL) {
		fprintf(stderr, "%s #%d %s: walker accepts, oracle refuses (%s)\n", file, idx,
			variant, e1.message);
		failures++;
	} else if (fast != NULL && (d = eku_facts_diff(fast, slow)) != NULL) {
		fprintf(stderr, "%s #%d %s: field %s differs\n", file, idx, variant, d);
		if (failures < 5) { /* the first few in full; mutants repeat them */
			show("walker", fast);
			show("oracle", slow);
		}
		failures++;
	}
	/* The public entry must refuse exactly when the oracle does, with its
	 * code. */
	if ((pub == NULL) != (slow == NULL) || (pub == NULL && e1.code != e2.code)) {
		fprintf(stderr, "%s #%d %s: eku_facts_from_der and the oracle disagree\n", file,
			idx, variant);
		failures++;
	}
	/* The first pass of a streaming run drops what eku_der_may_issue calls
	 * a non-issuer: it must never drop one the facts call a possible
	 * issuer, and on certificates OpenSSL reads it must agree. */
	if (slow != NULL) {
		bool can = eku_facts_may_issue(slow);
		int may = eku_der_may_issue(der, len);
		if (may == 0 && can) {
			fprintf(stderr, "%s #%d %s: may_issue drops a possible issuer\n", file, idx, variant);
			failures++;
		} else if (may == 1 && !can && strcmp(variant, "original") == 0 &&
			   strstr(file, "der-edge") == NULL && strstr(file, "testdata") == NULL) {
			/* Keeping one is only slower; on ordinary certificates (the
			 * bundle, tests/data) it must not happen. The edge cases and
			 * the corpora hold odd encodings it rightly leaves to the
			 * full parse. */
			fprintf(stderr, "%s #%d: may_issue keeps a certificate that cannot issue\n", file, idx);
			failures++;
		}
	}
	eku_facts_free(fast);
	eku_facts_free(slow);
	eku_facts_free(pub);
	return answered;
}

static void mutate(const char *file, int idx, const uint8_t *der, size_t len, struct stats *st)
{
	uint8_t *m = malloc(len);
	const size_t flips[] = { 1, 4, len / 3, len / 2, len - 3 };

	assert_non_null(m);
	for (size_t cut = 7; cut < len; cut += 7) {
		st->mutants++;
		st->mutants_fast += (size_t)compare(file, idx, "truncated", der, cut);
	}
	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		const uint8_t xors[] = { 0x01, 0x80, 0xff };
		if (flips[i] >= len)
			continue;
		for (size_t k = 0; k < sizeof(xors); k++) {
			memcpy(m, der, len);
			m[flips[i]] ^= xors[k];
			st->mutants++;
			st->mutants_fast += (size_t)compare(file, idx, "flipped", m, len);
		}
	}
	free(m);
}

static void one_cert(const char *file, int idx, const uint8_t *der, size_t len, struct stats *st,
	bool mutants)
{
	st->certs++;
	st->fast += (size_t)compare(file, idx, "original", der, len);
	if (mutants)
		mutate(file, idx, der, len, st);
}

struct walk {
	struct stats *st;
	bool mutants;
};

static void each(void *arg, const char *file, int idx, const uint8_t *der, size_t len)
{
	struct walk *w = arg;

	one_cert(file, idx, der, len, w->st, w->mutants);
}

static void walk_dir(const char *dir, struct stats *st, bool mutants)
{
	struct walk w = { st, mutants };

	fixture_each_der(dir, each, &w);
}

static void report(const char *what, const struct stats *st)
{
	fprintf(stderr, "%s: %zu certificates (%zu by the walker), %zu mutants (%zu by the walker)\n",
		what, st->certs, st->fast, st->mutants, st->mutants_fast);
}

static void test_system_bundle(void **state)
{
	struct stats st = { 0 };

	(void)state;
	failures = 0;
	walk_dir("/etc/ssl/certs/ca-certificates.crt", &st, true);
	report("system bundle", &st);
	if (st.certs == 0) {
		fprintf(stderr, "SKIP: /etc/ssl/certs/ca-certificates.crt holds no certificates\n");
		skip();
	}
	assert_int_equal(failures, 0);
	/* The point of the walker: it must answer for ordinary roots. */
	assert_true(st.fast * 10 >= st.certs * 9);
}

static void test_fixtures(void **state)
{
	struct stats st = { 0 };
	char dir[4096];

	(void)state;
	failures = 0;
	snprintf(dir, sizeof(dir), "%s/tests/data", getenv("EKU_SRCDIR") ?: ".");
	walk_dir(dir, &st, true);
	/* Generated edge cases (tests/der-edge/gen_*.py), kept out of
	 * tests/data whose directory loads other tests count. */
	snprintf(dir, sizeof(dir), "%s/tests/der-edge", getenv("EKU_SRCDIR") ?: ".");
	walk_dir(dir, &st, true);
	report("tests/data + tests/der-edge", &st);
	assert_true(st.certs > 0);
	assert_int_equal(failures, 0);
}

static void test_shared_testdata(void **state)
{
	struct stats st = { 0 };
	char dir[4096];
	struct stat sb;

	(void)state;
	failures = 0;
	snprintf(dir, sizeof(dir), "%s/../shared/testdata", getenv("EKU_SRCDIR") ?: ".");
	if (stat(dir, &sb) != 0) {
		fprintf(stderr, "SKIP: %s is absent (corpora from other projects)\n", dir);
		skip();
	}
	walk_dir(dir, &st, getenv("EKU_DER_NO_MUTANTS") == NULL);
	report("shared testdata", &st);
	assert_int_equal(failures, 0);
}

/* Hand-made edge cases: each must stay in agreement (most go to the oracle). */
static void test_refusals(void **state)
{
	static const struct { const char *name; const uint8_t *der; size_t len; } cases[] = {
		{ "empty", (const uint8_t *)"", 0 },
		{ "lone SEQUENCE", (const uint8_t *)"\x30\x00", 2 },
		{ "indefinite length", (const uint8_t *)"\x30\x80\x00\x00", 4 },
		{ "long-form small length", (const uint8_t *)"\x30\x81\x01\x00", 4 },
	};

	(void)state;
	failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		eku_error err = { 0 };
		struct eku_facts *f = eku_facts_from_der(cases[i].der, cases[i].len, &err);
		assert_null(eku_der_facts(cases[i].der, cases[i].len));
		assert_null(f);
		assert_int_equal(err.code, EKU_E_BAD_DER);
		compare(cases[i].name, 0, "case", cases[i].der, cases[i].len);
	}
	assert_int_equal(failures, 0);
}

/* The first certificate of a fixture, as DER (caller frees). */
static uint8_t *fixture_der(const char *name, size_t *len)
{
	char path[4096];
	BIO *bio;
	X509 *x;
	uint8_t *der = NULL;
	int n;

	snprintf(path, sizeof(path), "%s/tests/data/%s", getenv("EKU_SRCDIR") ?: ".", name);
	bio = BIO_new_file(path, "rb");
	assert_non_null(bio);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	assert_non_null(x);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	*len = (size_t)n;
	X509_free(x);
	BIO_free(bio);
	return der;
}

/* eku_cert_new_der keeps today's refusals and messages. */
static void test_cert_new_der_refusals(void **state)
{
	size_t len;
	uint8_t *der = fixture_der("leaf-dual.pem", &len);
	uint8_t *longer = malloc(len + 1);
	eku_error err = { 0 };
	eku_cert *c;

	(void)state;
	assert_non_null(longer);
	memcpy(longer, der, len);
	longer[len] = 0;
	assert_null(eku_cert_new_der(longer, len + 1, "x.der", 1, &err));
	assert_int_equal(err.code, EKU_E_BAD_DER);
	assert_non_null(strstr(err.message, "trailing bytes after the DER certificate"));
	memset(&err, 0, sizeof(err));
	assert_null(eku_cert_new_der(der, len - 1, "x.der", 1, &err));
	assert_int_equal(err.code, EKU_E_BAD_DER);
	assert_non_null(strstr(err.message, "not a DER certificate"));
	c = eku_cert_new_der(der, len, "x.der", 1, &err);
	assert_non_null(c);
	assert_string_equal(eku_cert_container(c), "DER");
	eku_cert_free(c);
	free(longer);
	OPENSSL_free(der);
}

struct race {
	eku_cert *c;
	X509 *seen;
};

static void *get_x509(void *arg)
{
	struct race *r = arg;

	r->seen = eku_cert_get0_x509(r->c);
	return NULL;
}

/* The lazily built X509: threads racing on the first eku_cert_get0_x509
 * all get the same object, and it is the certificate's DER (TSan in CI
 * checks the publication). */
static void test_lazy_x509_race(void **state)
{
	size_t len;
	uint8_t *der = fixture_der("leaf-dual.pem", &len), *again = NULL;
	eku_error err = { 0 };
	eku_cert *c = eku_cert_new_der(der, len, "x.der", 1, &err);
	pthread_t t[8];
	struct race r[8];
	int n;

	struct eku_facts *f = eku_der_facts(der, len);

	(void)state;
	assert_non_null(f); /* the walker's path: no X509 until asked */
	eku_facts_free(f);
	assert_non_null(c);
	for (int i = 0; i < 8; i++) {
		r[i].c = c;
		assert_int_equal(pthread_create(&t[i], NULL, get_x509, &r[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_non_null(r[i].seen);
		assert_ptr_equal(r[i].seen, r[0].seen);
	}
	n = i2d_X509(r[0].seen, &again);
	assert_int_equal((size_t)n, len);
	assert_memory_equal(again, der, len);
	OPENSSL_free(again);
	eku_cert_free(c);
	OPENSSL_free(der);
}

/* The OID table answers what OpenSSL makes of each encoding in a
 * certificate: c2i_ASN1_OBJECT's nid, and that nid's names. Every built-in
 * object, and a few encodings OpenSSL does not know. */
static void test_oid_table(void **state)
{
	static const uint8_t unknown[][4] = { { 0x2a, 0x03, 0x04, 0x05 }, { 0x55, 0x1d, 0x7f, 0x01 } };
	int max = OBJ_new_nid(0), checked = 0;
	struct eku_oid_info oi;

	(void)state;
	for (int nid = 1; nid < max; nid++) {
		const ASN1_OBJECT *o = OBJ_nid2obj(nid);
		const unsigned char *p;
		uint8_t der[256];
		ASN1_OBJECT *back;
		size_t n;
		if (o == NULL || OBJ_length(o) == 0 || OBJ_length(o) > 200)
			continue;
		n = OBJ_length(o);
		der[0] = 0x06;
		der[1] = (uint8_t)n;
		memcpy(der + 2, OBJ_get0_data(o), n);
		p = der;
		assert_non_null(back = d2i_ASN1_OBJECT(NULL, &p, (long)n + 2));
		eku_oid_lookup(der + 2, n, &oi);
		if (oi.nid != OBJ_obj2nid(back))
			fail_msg("nid %d (%s): table %d, OpenSSL %d", nid, OBJ_nid2sn(nid), oi.nid, OBJ_obj2nid(back));
		assert_string_equal(oi.sn, OBJ_nid2sn(oi.nid));
		assert_string_equal(oi.ln, OBJ_nid2ln(oi.nid));
		ASN1_OBJECT_free(back);
		checked++;
	}
	assert_true(checked > 1000);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		eku_oid_lookup(unknown[i], sizeof(unknown[i]), &oi);
		assert_int_equal(oi.nid, 0);
		assert_null(oi.sn);
	}
}

/* eku_b64_quads (32 characters at a time where the CPU has AVX2) against a
 * reference written from RFC 4648's alphabet: every byte value at every
 * position of a 96-character run must decode the same or stop at the same
 * quad, with nothing written past the quads decoded; the table loop
 * (eku_b64_quads_table, every machine's path) is held to the same. */
static size_t ref_quads(const uint8_t *in, size_t n, uint8_t *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t q = 0;
		for (int k = 0; k < 4; k++) {
			const char *at = in[4 * i + k] != 0 ? strchr(alphabet, in[4 * i + k]) : NULL;
			if (at == NULL)
				return i;
			q = q << 6 | (uint32_t)(at - alphabet);
		}
		out[3 * i] = (uint8_t)(q >> 16);
		out[3 * i + 1] = (uint8_t)(q >> 8);
		out[3 * i + 2] = (uint8_t)q;
	}
	return i;
}

static void check_quads(const uint8_t *in, size_t n)
{
	size_t (*const fns[])(const uint8_t *, size_t, uint8_t *) = { eku_b64_quads, eku_b64_quads_table };
	uint8_t want[80], got[80];
	size_t wq = ref_quads(in, n, want);

	for (size_t f = 0; f < 2; f++) {
		size_t q;
		memset(got, 0xa5, sizeof(got));
		q = fns[f](in, n, got);
		if (q != wq)
			fail_msg("%s: %zu quads, the reference %zu", f == 0 ? "eku_b64_quads" : "table", q, wq);
		assert_memory_equal(got, want, 3 * q);
		for (size_t i = 3 * q; i < sizeof(got); i++)
			if (got[i] != 0xa5)
				fail_msg("%s wrote byte %zu past %zu quads", f == 0 ? "eku_b64_quads" : "table", i, q);
	}
}

static void test_base64_quads(void **state)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t in[96];
	unsigned seed = 99;

	(void)state;
	/* the whole alphabet at every position: each value's translation */
	for (size_t rot = 0; rot < 64; rot++) {
		for (size_t i = 0; i < sizeof(in); i++)
			in[i] = (uint8_t)alphabet[(i + rot) % 64];
		check_quads(in, sizeof(in) / 4);
	}
	/* every byte value at every position, in random valid text */
	for (size_t pos = 0; pos < sizeof(in); pos++)
		for (int b = 0; b < 256; b++) {
			for (size_t i = 0; i < sizeof(in); i++)
				in[i] = (uint8_t)alphabet[rand_r(&seed) % 64];
			in[pos] = (uint8_t)b;
			check_quads(in, sizeof(in) / 4);
		}
	/* every count of quads, short and long */
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)alphabet[rand_r(&seed) % 64];
	for (size_t n = 0; n <= sizeof(in) / 4; n++)
		check_quads(in, n);
}

/* eku_pem_lines counts 8 bytes at a time: against a byte loop, on every
 * length and alignment near '\n' and its neighbours (borrows between bytes
 * would miscount), on random buffers, and on long runs of '\n' (its
 * per-byte counters at their limit). */
static void test_pem_lines(void **state)
{
	static const uint8_t near[] = { 0x0a, 0x0b, 0x09, 0x8a, 0x00, 0xff, 0x7f, 0x80, 0x0a };
	uint8_t buf[256];
	unsigned seed = 12345;

	(void)state;
	for (size_t len = 0; len <= 64; len++)
		for (size_t off = 0; off < 8; off++)
			for (size_t k = 0; k < sizeof(near); k++) {
				size_t want = 0;
				for (size_t i = 0; i < len; i++) {
					buf[off + i] = near[(i * 7 + k) % sizeof(near)];
					want += buf[off + i] == '\n';
				}
				assert_int_equal(eku_pem_lines(buf + off, len), want);
				assert_int_equal(eku_pem_lines_words(buf + off, len), want);
			}
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(rand_r(&seed) % 249), want = 0;
		for (size_t i = 0; i < len; i++) {
			buf[i] = (uint8_t)(rand_r(&seed) % 4 == 0 ? '\n' : rand_r(&seed));
			want += buf[i] == '\n';
		}
		assert_int_equal(eku_pem_lines(buf, len), want);
		assert_int_equal(eku_pem_lines_words(buf, len), want);
	}
	/* Long runs of nothing but '\n': every per-byte counter at its
	 * maximum when the sums are taken (every 255 words). */
	{
		static uint8_t nls[20000];
		memset(nls, '\n', sizeof(nls));
		for (size_t len = 2030; len < 2060; len++) {
			assert_int_equal(eku_pem_lines(nls, len), len);
			assert_int_equal(eku_pem_lines_words(nls, len), len);
		}
		for (size_t len = 4070; len < 4100; len++)
			assert_int_equal(eku_pem_lines(nls, len), len);
		assert_int_equal(eku_pem_lines(nls, sizeof(nls)), sizeof(nls));
		assert_int_equal(eku_pem_lines_words(nls, sizeof(nls)), sizeof(nls));
		assert_int_equal(eku_pem_lines(nls + 3, sizeof(nls) - 3), sizeof(nls) - 3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oid_table),
		cmocka_unit_test(test_pem_lines),
		cmocka_unit_test(test_base64_quads),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_cert_new_der_refusals),
		cmocka_unit_test(test_lazy_x509_race),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_system_bundle),
		cmocka_unit_test(test_shared_testdata),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
