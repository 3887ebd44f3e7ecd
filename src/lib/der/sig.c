/* Did this issuer sign this certificate? From the certificate's DER and the
 * issuer's key, without building the certificate's X509.
 *
 * Why: d2i_X509 costs about three times the signature check itself (every
 * public key goes through OpenSSL's provider decoders), and a run of
 * distinct leaves needs each leaf's signature checked once and nothing else
 * of its X509. The answer must be OpenSSL's: X509_check_issued(issuer,
 * subject) == X509_V_OK && X509_verify(subject, issuer key) == 1. So this
 * answers only where that is certain and says "not sure" (-1) everywhere
 * else, and the caller asks OpenSSL:
 *  - names: the subject's issuer Name must be byte-identical to the
 *    issuer's subject Name (X509_NAME_cmp compares canonical forms; equal
 *    bytes are equal forms, different bytes are OpenSSL's to judge);
 *  - extensions: every extension that ossl_x509v3_cache_extensions decodes
 *    must decode with OpenSSL's own template and appear once, or OpenSSL
 *    marks the certificate invalid and refuses it as a subject;
 *    basicConstraints with a pathlen but no cA, proxy certificates, an
 *    authorityKeyIdentifier naming the issuer by name and serial and a
 *    CRL distribution point relative to the issuer are left to OpenSSL;
 *  - the issuer: its extension cache valid, keyCertSign when it has a key
 *    usage, its subjectKeyIdentifier equal to the subject's AKI key id;
 *  - the signature: the outer and inner AlgorithmIdentifiers byte-equal
 *    (X509_verify compares them), a known RSA PKCS#1 or ECDSA algorithm
 *    whose key type the issuer's key has, no unused bits in the BIT STRING;
 *    then EVP_DigestVerify over the TBS bytes as they are, the bytes
 *    X509_verify checks too (OpenSSL keeps the received encoding).
 * tests/unit/test_der_sig.c compares this with OpenSSL on every pair of the
 * corpora and on mutants. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "der.h"

/* Extensions ossl_x509v3_cache_extensions reads with X509_get_ext_d2i: a
 * decoding failure or a second copy makes the certificate invalid. */
static const struct cached_ext {
	const char *oid; /* content octets */
	size_t len;
	int nid;
} cached_exts[] = {
#define EXT(s, n) { s, sizeof(s) - 1, n }
	EXT("\x55\x1d\x13", NID_basic_constraints),
	EXT("\x55\x1d\x0f", NID_key_usage),
	EXT("\x55\x1d\x25", NID_ext_key_usage),
	EXT("\x55\x1d\x0e", NID_subject_key_identifier),
	EXT("\x55\x1d\x23", NID_authority_key_identifier),
	EXT("\x55\x1d\x11", NID_subject_alt_name),
	EXT("\x55\x1d\x1e", NID_name_constraints),
	EXT("\x55\x1d\x1f", NID_crl_distribution_points),
	EXT("\x2b\x06\x01\x05\x05\x07\x01\x0e", NID_proxyCertInfo),
	EXT("\x60\x86\x48\x01\x86\xf8\x42\x01\x01", NID_netscape_cert_type),
	EXT("\x2b\x06\x01\x05\x05\x07\x01\x07", NID_sbgp_ipAddrBlock),
	EXT("\x2b\x06\x01\x05\x05\x07\x01\x08", NID_sbgp_autonomousSysNum),
#undef EXT
};

/* Signature algorithms answered here: content octets of the OID, the
 * digest and the key type the issuer's key must have. */
static const struct sig_alg {
	const char *oid;
	size_t len;
	const char *md, *key_type;
} sig_algs[] = {
#define ALG(s, md, kt) { s, sizeof(s) - 1, md, kt }
	ALG("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b", "SHA256", "RSA"), /* sha256WithRSAEncryption */
	ALG("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c", "SHA384", "RSA"),
	ALG("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d", "SHA512", "RSA"),
	ALG("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05", "SHA1", "RSA"),
	ALG("\x2a\x86\x48\xce\x3d\x04\x03\x02", "SHA256", "EC"), /* ecdsa-with-SHA256 */
	ALG("\x2a\x86\x48\xce\x3d\x04\x03\x03", "SHA384", "EC"),
	ALG("\x2a\x86\x48\xce\x3d\x04\x03\x04", "SHA512", "EC"),
	ALG("\x2a\x86\x48\xce\x3d\x04\x01", "SHA1", "EC"),
#undef ALG
};

#define NOT_SURE (-1)

/* Decodes one cached extension with OpenSSL's template and applies the
 * checks cache_extensions makes beyond decoding. 0 fine, -1 not sure;
 * *akid_keyid is set for the authorityKeyIdentifier (caller frees). */
static int check_ext(int nid, const uint8_t *p, size_t n, ASN1_OCTET_STRING **akid_keyid)
{
	const X509V3_EXT_METHOD *m = X509V3_EXT_get_nid(nid);
	const unsigned char *q = p;
	void *v;
	int rc = NOT_SURE;

	if (m == NULL || m->it == NULL || n > LONG_MAX ||
	    (v = ASN1_item_d2i(NULL, &q, (long)n, ASN1_ITEM_ptr(m->it))) == NULL)
		return NOT_SURE;
	switch (nid) {
	case NID_basic_constraints: {
		const BASIC_CONSTRAINTS *bc = v;
		if (bc->pathlen != NULL && (!bc->ca || bc->pathlen->type == V_ASN1_NEG_INTEGER))
			goto out;
		break;
	}
	case NID_authority_key_identifier: {
		AUTHORITY_KEYID *a = v;
		if (a->issuer != NULL || a->serial != NULL)
			goto out;
		*akid_keyid = a->keyid;
		a->keyid = NULL;
		break;
	}
	case NID_crl_distribution_points: {
		const STACK_OF(DIST_POINT) *dps = v;
		for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
			const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
			if (dp->distpoint != NULL && dp->distpoint->type != 0)
				goto out;
		}
		break;
	}
	case NID_proxyCertInfo:
		goto out;
	default:
		break;
	}
	rc = 0;
out:
	ASN1_item_free(v, ASN1_ITEM_ptr(m->it));
	return rc;
}

/* The extensions of the TBS ([3] contents): 0 when OpenSSL would cache
 * them as valid (and the AKI key id, if any, in *akid_keyid), -1 not sure. */
static int check_extensions(eku_cursor exts, ASN1_OCTET_STRING **akid_keyid)
{
	unsigned seen = 0;
	eku_cursor seq;

	if (eku_der_expect(&exts, 0x30, &seq) != 0 || !eku_cursor_empty(&exts))
		return NOT_SURE;
	while (!eku_cursor_empty(&seq)) {
		eku_cursor ext, oid, val;
		if (eku_der_expect(&seq, 0x30, &ext) != 0 || eku_der_expect(&ext, 0x06, &oid) != 0)
			return NOT_SURE;
		if (eku_der_peek(&ext) == 0x01) {
			eku_cursor crit;
			if (eku_der_expect(&ext, 0x01, &crit) != 0)
				return NOT_SURE;
		}
		if (eku_der_expect(&ext, 0x04, &val) != 0 || !eku_cursor_empty(&ext))
			return NOT_SURE;
		for (size_t i = 0; i < sizeof(cached_exts) / sizeof(cached_exts[0]); i++) {
			const struct cached_ext *e = &cached_exts[i];
			if (e->len != oid.left || memcmp(e->oid, oid.p, oid.left) != 0)
				continue;
			if ((seen & (1u << i)) != 0 || check_ext(e->nid, val.p, val.left, akid_keyid) != 0)
				return NOT_SURE;
			seen |= 1u << i;
		}
	}
	return 0;
}

static const struct sig_alg *find_alg(eku_cursor alg)
{
	eku_cursor seq, oid;

	if (eku_der_expect(&alg, 0x30, &seq) != 0 || eku_der_expect(&seq, 0x06, &oid) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(sig_algs) / sizeof(sig_algs[0]); i++)
		if (sig_algs[i].len == oid.left && memcmp(sig_algs[i].oid, oid.p, oid.left) == 0)
			return &sig_algs[i];
	return NULL;
}

/* The issuer's side of X509_check_issued: 0 fine, -1 not sure. */
static int check_issuer(X509 *issuer, const struct eku_der_tlv *issuer_name,
	const ASN1_OCTET_STRING *akid_keyid)
{
	const unsigned char *nm;
	size_t nm_len;
	uint32_t flags = X509_get_extension_flags(issuer);
	const ASN1_OCTET_STRING *skid;

	if (X509_NAME_get0_der(X509_get_subject_name(issuer), &nm, &nm_len) != 1 ||
	    nm_len != issuer_name->raw_len || memcmp(nm, issuer_name->raw, nm_len) != 0)
		return NOT_SURE;
	if ((flags & EXFLAG_INVALID) != 0 ||
	    ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(issuer) & KU_KEY_CERT_SIGN) == 0))
		return NOT_SURE;
	skid = X509_get0_subject_key_id(issuer);
	if (akid_keyid != NULL && skid != NULL && ASN1_OCTET_STRING_cmp(akid_keyid, skid) != 0)
		return NOT_SURE;
	return 0;
}

int eku_der_issued_by(const uint8_t *der, size_t len, X509 *issuer)
{
	eku_cursor all = eku_cursor_make(der, len), cert, tbs_c, sig;
	struct eku_der_tlv tbs, alg, inner_alg, serial, issuer_name, tlv;
	const struct sig_alg *a;
	ASN1_OCTET_STRING *akid_keyid = NULL;
	EVP_PKEY *pk = issuer != NULL ? X509_get0_pubkey(issuer) : NULL;
	EVP_MD_CTX *ctx = NULL;
	uint8_t unused;
	int rc = NOT_SURE, v;

	if (pk == NULL || eku_der_expect(&all, 0x30, &cert) != 0 || !eku_cursor_empty(&all) ||
	    eku_der_read(&cert, &tbs) != 0 || tbs.tag != 0x30 || eku_der_read(&cert, &alg) != 0 ||
	    eku_der_expect(&cert, 0x03, &sig) != 0 || !eku_cursor_empty(&cert))
		goto out;
	/* TBSCertificate: [0] version, serial, signature, issuer, validity,
	 * subject, subjectPublicKeyInfo, [1] [2] unique ids, [3] extensions. */
	tbs_c = tbs.val;
	if (eku_der_peek(&tbs_c) == 0xa0 && eku_der_read(&tbs_c, &tlv) != 0)
		goto out;
	if (eku_der_read(&tbs_c, &serial) != 0 || serial.tag != 0x02 || eku_der_read(&tbs_c, &inner_alg) != 0 ||
	    eku_der_read(&tbs_c, &issuer_name) != 0 || issuer_name.tag != 0x30)
		goto out;
	for (int field = 0; field < 3; field++) /* validity, subject, key */
		if (eku_der_read(&tbs_c, &tlv) != 0 || tlv.tag != 0x30)
			goto out;
	while (!eku_cursor_empty(&tbs_c)) {
		if (eku_der_read(&tbs_c, &tlv) != 0)
			goto out;
		if (tlv.tag == 0xa3 && (!eku_cursor_empty(&tbs_c) || check_extensions(tlv.val, &akid_keyid) != 0))
			goto out;
		if (tlv.tag != 0xa3 && tlv.tag != 0x81 && tlv.tag != 0x82)
			goto out;
	}
	if (alg.raw_len != inner_alg.raw_len || memcmp(alg.raw, inner_alg.raw, alg.raw_len) != 0 ||
	    (a = find_alg(eku_cursor_make(alg.raw, alg.raw_len))) == NULL || !EVP_PKEY_is_a(pk, a->key_type))
		goto out;
	if (eku_cursor_u8(&sig, &unused) != 0 || unused != 0 || sig.left == 0)
		goto out;
	if (check_issuer(issuer, &issuer_name, akid_keyid) != 0)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestVerifyInit_ex(ctx, NULL, a->md, NULL, NULL, pk, NULL) != 1)
		goto out;
	v = EVP_DigestVerify(ctx, sig.p, sig.left, tbs.raw, tbs.raw_len);
	rc = v == 1 ? 1 : v == 0 ? 0 : NOT_SURE;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	ASN1_OCTET_STRING_free(akid_keyid);
	return rc;
}
