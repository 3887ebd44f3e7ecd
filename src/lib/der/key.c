/* SubjectPublicKeyInfo (RFC 5280 4.1.2.7; RFC 3279, 5480, 8410): the key
 * type, size and curve OpenSSL reports for the keys it decodes, without
 * building an EVP_PKEY. Curves outside the table, explicit EC parameters,
 * DSA, RSA-PSS and X25519/X448 keys are "not sure" (the oracle answers). */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

#include "der.h"
#include "key.h"

static const int curve_nids[] = {
	NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1, NID_secp224r1, NID_secp256k1,
	NID_brainpoolP256r1, NID_brainpoolP384r1, NID_brainpoolP512r1,
};
#define N_CURVES (sizeof(curve_nids) / sizeof(curve_nids[0]))

static struct curve {
	EC_GROUP *group;
	const char *name;
	int bits;
	size_t field_len;
} curves[N_CURVES];
static pthread_once_t curves_once = PTHREAD_ONCE_INIT;

/* What each thread reuses for its point checks: a BN_CTX (without one,
 * EC_POINT_oct2point allocates and frees its own at every call) and one
 * EC_POINT per curve. Freed when the thread ends (scratch_free) or, for the
 * main thread, never: it lives as long as the process. */
struct ec_scratch {
	BN_CTX *bn;
	EC_POINT *pt[N_CURVES];
};
static pthread_key_t scratch_key;
static bool scratch_ok; /* written once under curves_once, then read-only */

static void scratch_free(void *arg)
{
	struct ec_scratch *s = arg;

	for (size_t i = 0; i < N_CURVES; i++)
		EC_POINT_free(s->pt[i]);
	BN_CTX_free(s->bn);
	free(s);
}

/* This thread's scratch, or NULL (out of memory: the caller allocates its
 * own). */
static struct ec_scratch *scratch_get(void)
{
	struct ec_scratch *s;

	if (!scratch_ok)
		return NULL;
	if ((s = pthread_getspecific(scratch_key)) != NULL)
		return s;
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->bn = BN_CTX_new()) == NULL)
		goto fail;
	if (pthread_setspecific(scratch_key, s) != 0)
		goto fail;
	return s;
fail:
	if (s != NULL)
		BN_CTX_free(s->bn);
	free(s);
	return NULL;
}

static void build_curves(void)
{
	scratch_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
	for (size_t i = 0; i < N_CURVES; i++) {
		EC_GROUP *g = EC_GROUP_new_by_curve_name(curve_nids[i]);
		if (g == NULL)
			continue;
		curves[i].group = g;
		curves[i].name = OSSL_EC_curve_nid2name(curve_nids[i]);
		curves[i].bits = EC_GROUP_order_bits(g);
		curves[i].field_len = ((size_t)EC_GROUP_get_degree(g) + 7) / 8;
	}
}

/* Bits of a positive, minimally encoded INTEGER's contents; 0 if it is not. */
static int integer_bits(eku_cursor v)
{
	const uint8_t *p = v.p;
	size_t n = v.left;
	int bits;

	if (n == 0 || (p[0] & 0x80) || (n > 1 && p[0] == 0 && !(p[1] & 0x80)))
		return 0;
	if (p[0] == 0) {
		p++;
		n--;
	}
	if (n == 0 || p[0] == 0 || n > 4096)
		return 0;
	bits = (int)(n - 1) * 8;
	for (uint8_t b = p[0]; b != 0; b >>= 1)
		bits++;
	return bits;
}

/* RFC 3447 A.1.1 RSAPublicKey. */
static int rsa(eku_cursor bits, struct eku_key *k)
{
	eku_cursor seq, n, e;

	if (eku_der_expect(&bits, 0x30, &seq) != 0 || !eku_cursor_empty(&bits) ||
	    eku_der_expect(&seq, 0x02, &n) != 0 || eku_der_expect(&seq, 0x02, &e) != 0 ||
	    !eku_cursor_empty(&seq) || integer_bits(e) == 0 || (k->bits = integer_bits(n)) == 0)
		return -1;
	k->type = "RSA";
	k->curve = NULL;
	return 0;
}

/* RFC 5480 2.2: the point must decode on the curve, as OpenSSL's decoder
 * demands (an off-curve point leaves X509_get0_pubkey() NULL). */
static int ec(eku_cursor params, eku_cursor bits, struct eku_key *k)
{
	eku_cursor oid;
	struct eku_oid_info oi;
	const struct curve *c = NULL;
	struct ec_scratch *s;
	EC_POINT *pt = NULL, *own = NULL;
	size_t ci = 0;
	int rc = -1;

	if (eku_der_expect(&params, 0x06, &oid) != 0 || !eku_cursor_empty(&params))
		return -1;
	eku_oid_lookup(oid.p, oid.left, &oi);
	pthread_once(&curves_once, build_curves);
	for (size_t i = 0; i < N_CURVES; i++)
		if (oi.nid == curve_nids[i] && curves[i].group != NULL && curves[i].name != NULL) {
			c = &curves[i];
			ci = i;
		}
	if (c == NULL || bits.left == 0)
		return -1;
	if (!((bits.p[0] == 4 && bits.left == 1 + 2 * c->field_len) ||
	      ((bits.p[0] == 2 || bits.p[0] == 3) && bits.left == 1 + c->field_len)))
		return -1;
	if ((s = scratch_get()) != NULL && s->pt[ci] == NULL)
		s->pt[ci] = EC_POINT_new(c->group);
	if ((pt = s != NULL ? s->pt[ci] : NULL) == NULL && (pt = own = EC_POINT_new(c->group)) == NULL)
		goto out;
	if (EC_POINT_oct2point(c->group, pt, bits.p, bits.left, s != NULL ? s->bn : NULL) != 1)
		goto out;
	k->type = "EC";
	k->bits = c->bits;
	k->curve = c->name;
	rc = 0;
out:
	EC_POINT_free(own);
	return rc;
}

int eku_der_key(int alg_nid, bool has_params, eku_cursor params, eku_cursor bits,
	struct eku_key *k)
{
	k->nid = alg_nid;
	switch (alg_nid) {
	case NID_rsaEncryption:
		/* RFC 3279 2.3.1: parameters NULL (OpenSSL ignores them; absent
		 * or anything else stays with the oracle). */
		if (!has_params || params.left != 2 || params.p[0] != 0x05 || params.p[1] != 0)
			return -1;
		return rsa(bits, k);
	case NID_X9_62_id_ecPublicKey:
		return has_params ? ec(params, bits, k) : -1;
	case NID_ED25519:
	case NID_ED448:
		/* RFC 8410 3: parameters absent; fixed key sizes. */
		if (has_params || bits.left != (alg_nid == NID_ED25519 ? 32u : 57u))
			return -1;
		k->type = alg_nid == NID_ED25519 ? "ED25519" : "ED448";
		k->bits = alg_nid == NID_ED25519 ? 256 : 456; /* ED25519_BITS, ED448_BITS */
		k->curve = NULL;
		return 0;
	default:
		return -1;
	}
}
