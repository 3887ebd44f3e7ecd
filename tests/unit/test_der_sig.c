/* Differential test of eku_der_issued_by (src/lib/der/sig.c) against
 * OpenSSL: for every (issuer, subject) pair of the corpora whose names
 * X509_NAME_cmp calls equal, and for byte-flipped copies of the subjects,
 * the DER path must either say "not sure" or give exactly
 * X509_check_issued(issuer, subject) == X509_V_OK &&
 * X509_verify(subject, issuer key) == 1. It must also answer (not defer)
 * for most ordinary pairs, or it would be a slow path in disguise. */
#include <dirent.h>
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
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <eku/util.h>

#include "der/der.h"
#include "fixtures.h"

struct one {
	uint8_t *der;
	size_t len;
	X509 *x;
	unsigned long subject_hash;
	char *where;
};

struct corpus {
	struct one *v;
	size_t n, cap;
};

struct tally {
	size_t pairs, answered, issued, issued_answered, mutants, mutants_answered;
};

static int failures;

static void add(struct corpus *c, const char *where, int idx, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	char buf[4200];

	if (x == NULL || p != der + len) {
		X509_free(x);
		ERR_clear_error();
		return;
	}
	X509_check_purpose(x, -1, 0); /* as eku_cert_get0_x509 leaves it */
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		assert_non_null(c->v);
	}
	snprintf(buf, sizeof(buf), "%s #%d", where, idx);
	c->v[c->n] = (struct one){ .der = malloc(len), .len = len, .x = x,
		.subject_hash = X509_NAME_hash_ex(X509_get_subject_name(x), NULL, NULL, NULL),
		.where = strdup(buf) };
	assert_non_null(c->v[c->n].der);
	memcpy(c->v[c->n].der, der, len);
	c->n++;
	ERR_clear_error();
}

static void each(void *arg, const char *file, int idx, const uint8_t *der, size_t len)
{
	add(arg, file, idx, der, len);
}

static void load_dir(struct corpus *c, const char *dir)
{
	fixture_each_der(dir, each, c);
}

static void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].der);
		X509_free(c->v[i].x);
		free(c->v[i].where);
	}
	free(c->v);
}

/* OpenSSL's answer for a subject given as DER (not d2i-able: not issued). */
static bool openssl_says(X509 *issuer, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *s = d2i_X509(NULL, &p, (long)len);
	EVP_PKEY *pk = X509_get0_pubkey(issuer);
	bool ok = s != NULL && pk != NULL && X509_check_issued(issuer, s) == X509_V_OK && X509_verify(s, pk) == 1;

	X509_free(s);
	ERR_clear_error();
	return ok;
}

/* Compares one pair; returns 1 when the DER path answered. */
static int compare(const struct one *issuer, const struct one *subject, const char *variant,
	const uint8_t *der, size_t len, bool *issued)
{
	bool want = openssl_says(issuer->x, der, len);
	int got = eku_der_issued_by(der, len, issuer->x);

	*issued = want;
	if (got >= 0 && (got == 1) != want) {
		if (failures < 10)
			fprintf(stderr, "%s by %s (%s): OpenSSL says %s, the DER path %s\n", subject->where,
				issuer->where, variant, want ? "issued" : "not issued", got ? "issued" : "not issued");
		failures++;
	}
	return got >= 0;
}

/* Flips bytes of a subject its issuer signed: the signature must then fail
 * (or the path defer), never pass. */
static void mutants(const struct one *issuer, const struct one *subject, struct tally *t)
{
	uint8_t *m = malloc(subject->len);
	const size_t at[] = { 5, 12, subject->len / 4, subject->len / 2, subject->len * 3 / 4, subject->len - 2 };
	bool issued;

	assert_non_null(m);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		const uint8_t xors[] = { 0x01, 0x80 };
		if (at[i] >= subject->len)
			continue;
		for (size_t k = 0; k < sizeof(xors); k++) {
			memcpy(m, subject->der, subject->len);
			m[at[i]] ^= xors[k];
			t->mutants++;
			t->mutants_answered += (size_t)compare(issuer, subject, "flipped", m, subject->len, &issued);
		}
	}
	free(m);
}

static int by_hash(const void *a, const void *b)
{
	const struct one *x = a, *y = b;
	return x->subject_hash < y->subject_hash ? -1 : x->subject_hash > y->subject_hash;
}

/* Every pair whose canonical name hashes match (sorted by subject hash, so
 * the candidates of a subject are one binary search away). */
static void run(struct corpus *c, struct tally *t, size_t max_mutated)
{
	size_t mutated = 0;

	qsort(c->v, c->n, sizeof(*c->v), by_hash);
	for (size_t s = 0; s < c->n; s++) {
		unsigned long h = X509_NAME_hash_ex(X509_get_issuer_name(c->v[s].x), NULL, NULL, NULL);
		struct one key = { .subject_hash = h }, *first = bsearch(&key, c->v, c->n, sizeof(*c->v), by_hash);
		if (first == NULL)
			continue;
		while (first > c->v && first[-1].subject_hash == h)
			first--;
		for (struct one *i = first; i < c->v + c->n && i->subject_hash == h; i++) {
			bool issued;
			int answered = compare(i, &c->v[s], "original", c->v[s].der, c->v[s].len, &issued);
			t->pairs++;
			t->answered += (size_t)answered;
			t->issued += issued;
			t->issued_answered += issued && answered;
			if (issued && mutated < max_mutated) {
				mutated++;
				mutants(i, &c->v[s], t);
			}
		}
	}
	fprintf(stderr, "%zu certificates, %zu pairs (%zu answered by the DER path), %zu issued (%zu answered), "
		"%zu mutants (%zu answered)\n", c->n, t->pairs, t->answered, t->issued, t->issued_answered,
		t->mutants, t->mutants_answered);
}

static const char *srcdir(void)
{
	return getenv("EKU_SRCDIR") ?: ".";
}

static void test_own_corpora(void **state)
{
	struct corpus c = { 0 };
	struct tally t = { 0 };
	char dir[4096];

	(void)state;
	failures = 0;
	load_dir(&c, "/etc/ssl/certs/ca-certificates.crt");
	snprintf(dir, sizeof(dir), "%s/tests/data", srcdir());
	load_dir(&c, dir);
	snprintf(dir, sizeof(dir), "%s/tests/der-edge", srcdir());
	load_dir(&c, dir);
	run(&c, &t, 400);
	corpus_free(&c);
	assert_int_equal(failures, 0);
	/* It must carry the ordinary cases (roots' self-signatures, the
	 * fixtures' chains), and its answers must include both verdicts. */
	assert_true(t.issued > 100);
	assert_true(t.issued_answered * 10 >= t.issued * 9);
	assert_true(t.mutants_answered > 0);
}

static void test_shared_testdata(void **state)
{
	struct corpus c = { 0 };
	struct tally t = { 0 };
	char dir[4096];
	struct stat sb;

	(void)state;
	failures = 0;
	snprintf(dir, sizeof(dir), "%s/../shared/testdata", srcdir());
	if (stat(dir, &sb) != 0) {
		fprintf(stderr, "SKIP: %s is absent (corpora from other projects)\n", dir);
		skip();
	}
	load_dir(&c, dir);
	run(&c, &t, 2000);
	corpus_free(&c);
	assert_int_equal(failures, 0);
	assert_true(t.issued_answered > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_corpora),
		cmocka_unit_test(test_shared_testdata),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
