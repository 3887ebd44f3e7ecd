/* PKCS#12 (RFC 7292) for the certificate loader: which password opens the
 * file, the legacy provider for old ciphers, and a cap on key-derivation work.
 *
 * Every password-based step of a PKCS#12 runs a key derivation whose
 * iteration count the file itself chooses: the MAC (RFC 7292 B.2, appendix
 * B), each encrypted safe and each shrouded key bag (PBES1/PBES2 with PBKDF2
 * or scrypt, RFC 8018 6.1, 6.2; RFC 7914 7). A file asking for 2^31-1
 * iterations keeps OpenSSL busy for hours, so every count is read and
 * charged before the derivation that uses it runs (EKU_PKCS12_MAX_ITERATIONS,
 * EKU_PKCS12_MAX_WORK in eku/cert.h).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "cert_load_int.h"

/* Nested safeContents bags deeper than this are not looked into. */
#define MAX_BAG_DEPTH 8

/* PKCS#12 files exported by older tools (Windows, Java, OpenSSL 1.x) use
 * RC2/3DES, which OpenSSL 3 keeps in the legacy provider. Load it on first
 * need only, keeping the default provider available (retain_fallbacks). */
static OSSL_PROVIDER *legacy_provider;

static void unload_legacy_provider(void)
{
	OSSL_PROVIDER_unload(legacy_provider);
	legacy_provider = NULL;
}

static bool load_legacy_provider(void)
{
	static int state; /* 0 not tried, 1 loaded, -1 unavailable */

	if (state == 0) {
		legacy_provider = OSSL_PROVIDER_try_load(NULL, "legacy", 1);
		state = legacy_provider != NULL ? 1 : -1;
		/* Unloaded before OpenSSL's own exit cleanup, so nothing leaks. */
		if (legacy_provider != NULL)
			atexit(unload_legacy_provider);
	}
	ERR_clear_error();
	return state == 1;
}

/* --- the work cap ---------------------------------------------------------- */

struct p12_work {
	const char *source;
	uint64_t total;     /* iterations charged so far */
	bool refused;       /* a diag says why */
	eku_diaglist *diags;
};

/* An INTEGER as a count: absent is the default 1, beyond int64 is "too
 * many", negative is 0 (OpenSSL refuses those itself). */
static int64_t count_of(const ASN1_INTEGER *i)
{
	int64_t v;

	if (i == NULL)
		return 1;
	if (ASN1_INTEGER_get_int64(&v, i) != 1)
		return INT64_MAX;
	return v > 0 ? v : 0;
}

/* Charges one key derivation of n iterations done for what; false (with the
 * one diag of this input) when it goes past a cap. */
static bool charge(struct p12_work *w, const char *what, int64_t n)
{
	if (w->refused)
		return false;
	if (n > (int64_t)EKU_PKCS12_MAX_ITERATIONS) {
		eku_diaglist_add(w->diags, w->source, 0, 0, EKU_E_TOO_COSTLY,
			"PKCS#12 %s asks for %" PRId64 " key-derivation iterations, more than the %u "
			"allowed (exporters use 2048 to 600000); refused unread: re-export it with "
			"fewer, e.g. openssl pkcs12 -export -iter 600000",
			what, n, EKU_PKCS12_MAX_ITERATIONS);
		w->refused = true;
		return false;
	}
	w->total += (uint64_t)n;
	if (w->total > EKU_PKCS12_MAX_WORK) {
		eku_diaglist_add(w->diags, w->source, 0, 0, EKU_E_TOO_COSTLY,
			"PKCS#12 asks for over %u key-derivation iterations in all (MAC, encrypted "
			"safes, key bags); refused: re-export it with fewer bags or iterations",
			EKU_PKCS12_MAX_WORK);
		w->refused = true;
		return false;
	}
	return true;
}

/* scrypt (RFC 7914): N*r*p block mixes, each about one PBKDF2 iteration. */
static int64_t scrypt_cost(const ASN1_STRING *params)
{
	SCRYPT_PARAMS *sp = ASN1_item_unpack(params, ASN1_ITEM_rptr(SCRYPT_PARAMS));
	int64_t n, r, p, cost = 0;

	if (sp == NULL)
		return 0;
	n = count_of(sp->costParameter);
	r = count_of(sp->blockSize);
	p = count_of(sp->parallelizationParameter);
	/* Saturate rather than overflow: any factor past the cap refuses. */
	if (n > (int64_t)EKU_PKCS12_MAX_WORK || r > (int64_t)EKU_PKCS12_MAX_WORK ||
	    p > (int64_t)EKU_PKCS12_MAX_WORK)
		cost = INT64_MAX;
	else
		cost = n * r * p;
	SCRYPT_PARAMS_free(sp);
	return cost;
}

/* PBES2 (RFC 8018 A.4): the key derivation function's iterations. */
static int64_t pbes2_iterations(const ASN1_STRING *params)
{
	PBE2PARAM *p2 = ASN1_item_unpack(params, ASN1_ITEM_rptr(PBE2PARAM));
	const ASN1_OBJECT *kdf;
	const void *kval;
	int ktype;
	int64_t n = 0;

	if (p2 == NULL)
		return 0;
	X509_ALGOR_get0(&kdf, &ktype, &kval, p2->keyfunc);
	if (ktype == V_ASN1_SEQUENCE && OBJ_obj2nid(kdf) == NID_id_pbkdf2) {
		PBKDF2PARAM *kp = ASN1_item_unpack(kval, ASN1_ITEM_rptr(PBKDF2PARAM));
		if (kp != NULL)
			n = count_of(kp->iter);
		PBKDF2PARAM_free(kp);
	} else if (ktype == V_ASN1_SEQUENCE && OBJ_obj2nid(kdf) == NID_id_scrypt) {
		n = scrypt_cost(kval);
	}
	PBE2PARAM_free(p2);
	return n;
}

/* Iterations a password-based encryption AlgorithmIdentifier asks for:
 * PBES2, or PBES1 / the PKCS#12 PBEs (PBEParameter, RFC 8018 A.3). 0 for
 * anything else, which OpenSSL cannot decrypt either. */
static int64_t pbe_iterations(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj;
	const void *val;
	int type;
	PBEPARAM *pp;
	int64_t n = 0;

	X509_ALGOR_get0(&obj, &type, &val, alg);
	if (type != V_ASN1_SEQUENCE)
		return 0;
	if (OBJ_obj2nid(obj) == NID_pbes2)
		return pbes2_iterations(val);
	if ((pp = ASN1_item_unpack(val, ASN1_ITEM_rptr(PBEPARAM))) != NULL)
		n = count_of(pp->iter);
	PBEPARAM_free(pp);
	return n;
}

static bool charge_bags(struct p12_work *w, const STACK_OF(PKCS12_SAFEBAG) *bags, int depth)
{
	for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
		const X509_ALGOR *alg;
		int nid = PKCS12_SAFEBAG_get_nid(bag);
		if (nid == NID_pkcs8ShroudedKeyBag) {
			X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
			if (!charge(w, "key bag", pbe_iterations(alg)))
				return false;
		} else if (nid == NID_safeContentsBag && depth < MAX_BAG_DEPTH &&
			   !charge_bags(w, PKCS12_SAFEBAG_get0_safes(bag), depth + 1)) {
			return false;
		}
	}
	return true;
}

static bool is_encrypted_safe(PKCS7 *p7)
{
	return OBJ_obj2nid(p7->type) == NID_pkcs7_encrypted && p7->d.encrypted != NULL &&
	       p7->d.encrypted->enc_data != NULL;
}

/* What can be read without the password: the MAC, the encryption of each
 * encrypted safe, the key bags of clear safes. */
static bool charge_outer(struct p12_work *w, PKCS12 *p12, STACK_OF(PKCS7) *safes)
{
	const ASN1_INTEGER *mac_iter = NULL;

	if (PKCS12_mac_present(p12)) {
		PKCS12_get0_mac(NULL, NULL, NULL, &mac_iter, p12);
		if (!charge(w, "MAC", count_of(mac_iter)))
			return false;
	}
	for (int i = 0; i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags;
		bool ok = true;
		if (is_encrypted_safe(p7)) {
			ok = charge(w, "encrypted safe", pbe_iterations(p7->d.encrypted->enc_data->algorithm));
		} else if (OBJ_obj2nid(p7->type) == NID_pkcs7_data &&
			   (bags = PKCS12_unpack_p7data(p7)) != NULL) {
			ok = charge_bags(w, bags, 0);
			sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
		}
		if (!ok)
			return false;
	}
	return true;
}

/* The key bags inside encrypted safes, once the password is known. Safes
 * that do not decrypt are left to PKCS12_parse, which reports them. */
static bool charge_inner(struct p12_work *w, STACK_OF(PKCS7) *safes, const char *pw)
{
	for (int i = 0; i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags;
		bool ok;
		if (!is_encrypted_safe(p7))
			continue;
		bags = PKCS12_unpack_p7encdata(p7, pw, pw != NULL ? -1 : 0);
		if (bags == NULL && load_legacy_provider())
			bags = PKCS12_unpack_p7encdata(p7, pw, pw != NULL ? -1 : 0);
		ok = bags == NULL || charge_bags(w, bags, 0);
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
		if (!ok)
			return false;
	}
	ERR_clear_error();
	return true;
}

/* --- password and certificates --------------------------------------------- */

static bool mac_ok(PKCS12 *p12, const char *pw)
{
	return PKCS12_verify_mac(p12, pw, pw != NULL ? -1 : 0) == 1;
}

/* The password that opens p12 (*pw), checked against the MAC once. With no
 * password given, the empty string and the absent password are distinct in
 * PKCS#12; both are tried, as openssl pkcs12 does. -1 with a diag. */
static int pick_password(const eku_loader *ld, const char *source, PKCS12 *p12, const char **pw,
	eku_diaglist *diags)
{
	*pw = ld->password != NULL ? ld->password : "";
	if (!PKCS12_mac_present(p12) || mac_ok(p12, *pw))
		return 0;
	if (ld->password == NULL && mac_ok(p12, NULL)) {
		*pw = NULL;
		return 0;
	}
	eku_diaglist_add(diags, source, 0, 0, EKU_E_PKCS12_PASSWORD, "%s",
		ld->password == NULL
			? "PKCS#12 is password-protected: give the password with --password-file FILE or --password-env VAR"
			: "wrong PKCS#12 password (MAC check failed): check --password-file / --password-env");
	return -1;
}

static int add_parsed(const char *source, X509 *cert, STACK_OF(X509) *ca, eku_certlist *out,
	eku_diaglist *diags)
{
	int added = 0;

	if (cert != NULL && eku_load_add_x509(cert, source, 1, 0, "PKCS#12", out, diags) > 0)
		added++;
	if (ca != NULL)
		added += eku_load_add_stack(ca, source, 0, cert != NULL ? 2 : 1, "PKCS#12", out, diags);
	if (added == 0) {
		eku_diaglist_add(diags, source, 0, 0, EKU_E_NO_CERT, "PKCS#12 holds no certificates");
		return -1;
	}
	return added;
}

int eku_load_pkcs12(eku_loader *ld, const char *source, PKCS12 *p12, eku_certlist *out,
	eku_diaglist *diags)
{
	struct p12_work w = { .source = source, .diags = diags };
	STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
	const char *pw = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	int rc = -1;

	ERR_clear_error();
	if (!charge_outer(&w, p12, safes) || pick_password(ld, source, p12, &pw, diags) != 0 ||
	    !charge_inner(&w, safes, pw))
		goto out;
	if (PKCS12_parse(p12, pw, &key, &cert, &ca) != 1 &&
	    (!load_legacy_provider() || PKCS12_parse(p12, pw, &key, &cert, &ca) != 1)) {
		eku_diaglist_add(diags, source, 0, 0, EKU_E_BAD_PKCS12,
			"PKCS#12 cannot be decrypted: %s (cipher unsupported even by the legacy provider?)",
			ERR_reason_error_string(ERR_peek_last_error()) ?: "decode error");
		goto out;
	}
	rc = add_parsed(source, cert, ca, out, diags);
out:
	ERR_clear_error();
	sk_PKCS7_pop_free(safes, PKCS7_free);
	EVP_PKEY_free(key); /* the key is never used nor kept */
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	return rc;
}
