/* Certificate facts from OpenSSL's parse of one X.509 certificate (RFC 5280
 * section 4). This file is the only place that turns an X509 into facts, so a
 * faster parser can replace it without touching callers. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/ct.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <eku/cert.h>

#include "cert_int.h"
#include "der/facts_build.h"
#include "der/der.h"
#include "digest.h"

/* Appends the BIO's bytes to the open string of the builder. */
static void put_bio(struct eku_fb *b, BIO *bio)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);

	if (n > 0) /* an empty subject leaves the BIO without data (NULL) */
		eku_fb_put(b, data, (size_t)n);
}

/* RFC 4514 (OpenSSL's RFC 2253 mode, which writes most-specific RDN first). */
static int name_string(struct eku_fb *b, enum eku_fb_slot slot, const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = -1;

	if (bio == NULL)
		return -1;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		eku_fb_begin(b, slot, EKU_SAN_OTHER);
		put_bio(b, bio);
		eku_fb_end(b, 1);
		rc = 0;
	}
	BIO_free(bio);
	return rc;
}

/* Same text as `openssl x509 -serial`. */
static int serial_string(struct eku_fb *b, const ASN1_INTEGER *serial)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = -1;

	if (bio == NULL)
		return -1;
	if (i2a_ASN1_INTEGER(bio, serial) >= 0) {
		eku_fb_begin(b, EKU_FB_SERIAL, EKU_SAN_OTHER);
		put_bio(b, bio);
		eku_fb_end(b, 0);
		rc = 0;
	}
	BIO_free(bio);
	return rc;
}

static int64_t asn1_time_seconds(const ASN1_TIME *t, bool *ok)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		*ok = false;
		return 0;
	}
	return (int64_t)timegm(&tm);
}

static void oid_text(struct eku_fb *b, enum eku_fb_slot slot, const ASN1_OBJECT *obj)
{
	char buf[128];

	if (OBJ_obj2txt(buf, sizeof(buf), obj, 1) <= 0)
		eku_fb_str(b, slot, "?");
	else
		eku_fb_str(b, slot, buf);
}

static void oid_name(struct eku_fb *b, enum eku_fb_slot slot, const ASN1_OBJECT *obj)
{
	int nid = OBJ_obj2nid(obj);

	if (nid != NID_undef && OBJ_nid2sn(nid) != NULL)
		eku_fb_str(b, slot, OBJ_nid2sn(nid));
	else
		oid_text(b, slot, obj);
}

/* The class follows OpenSSL's own cached reading of the extension
 * (X509_get_extended_key_usage), so we agree with it by construction. */
static enum eku_eku_class classify_eku(X509 *x)
{
	uint32_t xku;

	if ((X509_get_extension_flags(x) & EXFLAG_XKUSAGE) == 0)
		return EKU_CLASS_NONE;
	xku = X509_get_extended_key_usage(x);
	if ((xku & XKU_SSL_SERVER) && (xku & XKU_SSL_CLIENT))
		return EKU_CLASS_SERVER_CLIENT;
	if (xku & XKU_SSL_SERVER)
		return EKU_CLASS_SERVER_ONLY;
	if (xku & XKU_SSL_CLIENT)
		return EKU_CLASS_CLIENT_ONLY;
	if (xku & XKU_ANYEKU)
		return EKU_CLASS_ANY;
	return EKU_CLASS_OTHER;
}

static void read_eku(X509 *x, struct eku_fb *b)
{
	EXTENDED_KEY_USAGE *eku;
	int crit = -1;

	b->f.eku_class = classify_eku(x);
	b->f.has_eku = b->f.eku_class != EKU_CLASS_NONE;
	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (eku == NULL)
		return;
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		oid_text(b, EKU_FB_EKU_OID, o);
		oid_name(b, EKU_FB_EKU_NAME, o);
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
}

static void read_key_usage(X509 *x, struct eku_facts *f)
{
	static const struct { uint32_t ossl; unsigned ours; } map[] = {
		{ KU_DIGITAL_SIGNATURE, EKU_KU_DIGITAL_SIGNATURE },
		{ KU_NON_REPUDIATION, EKU_KU_NON_REPUDIATION },
		{ KU_KEY_ENCIPHERMENT, EKU_KU_KEY_ENCIPHERMENT },
		{ KU_DATA_ENCIPHERMENT, EKU_KU_DATA_ENCIPHERMENT },
		{ KU_KEY_AGREEMENT, EKU_KU_KEY_AGREEMENT },
		{ KU_KEY_CERT_SIGN, EKU_KU_KEY_CERT_SIGN },
		{ KU_CRL_SIGN, EKU_KU_CRL_SIGN },
		{ KU_ENCIPHER_ONLY, EKU_KU_ENCIPHER_ONLY },
		{ KU_DECIPHER_ONLY, EKU_KU_DECIPHER_ONLY },
	};
	uint32_t ku;

	f->has_key_usage = (X509_get_extension_flags(x) & EXFLAG_KUSAGE) != 0;
	if (!f->has_key_usage)
		return;
	ku = X509_get_key_usage(x);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (ku & map[i].ossl)
			f->key_usage |= map[i].ours;
}

static void ip_string(struct eku_fb *b, const ASN1_OCTET_STRING *ip)
{
	char buf[INET6_ADDRSTRLEN];
	int len = ASN1_STRING_length(ip);
	const unsigned char *d = ASN1_STRING_get0_data(ip);

	if ((len == 4 && inet_ntop(AF_INET, d, buf, sizeof(buf)) != NULL) ||
	    (len == 16 && inet_ntop(AF_INET6, d, buf, sizeof(buf)) != NULL)) {
		eku_fb_begin(b, EKU_FB_SAN, EKU_SAN_IP);
		eku_fb_put(b, buf, strlen(buf));
	} else {
		eku_fb_begin(b, EKU_FB_SAN, EKU_SAN_IP);
		eku_fb_put(b, "<malformed IP>", 14);
	}
	eku_fb_end(b, 0);
}

static void asn1_string_copy(struct eku_fb *b, enum eku_fb_slot slot, enum eku_san_type t,
	const ASN1_STRING *s)
{
	eku_fb_text(b, slot, t, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
}

static void read_san(X509 *x, struct eku_fb *b)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);

	if (gens == NULL)
		return;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		switch (g->type) {
		case GEN_DNS: asn1_string_copy(b, EKU_FB_SAN, EKU_SAN_DNS, g->d.dNSName); break;
		case GEN_URI: asn1_string_copy(b, EKU_FB_SAN, EKU_SAN_URI, g->d.uniformResourceIdentifier); break;
		case GEN_EMAIL: asn1_string_copy(b, EKU_FB_SAN, EKU_SAN_EMAIL, g->d.rfc822Name); break;
		case GEN_IPADD: ip_string(b, g->d.iPAddress); break;
		default: continue; /* directoryName, otherName: not used for TLS identity */
		}
	}
	GENERAL_NAMES_free(gens);
}

static void push_uri(struct eku_fb *b, enum eku_fb_slot slot, const GENERAL_NAME *g)
{
	if (g->type == GEN_URI)
		asn1_string_copy(b, slot, EKU_SAN_OTHER, g->d.uniformResourceIdentifier);
}

static void read_crl_dp(X509 *x, struct eku_fb *b)
{
	CRL_DIST_POINTS *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);

	if (dps == NULL)
		return;
	for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		for (int j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); j++)
			push_uri(b, EKU_FB_CRL_DP, sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j));
	}
	CRL_DIST_POINTS_free(dps);
}

static void read_aia(X509 *x, struct eku_fb *b)
{
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);

	if (aia == NULL)
		return;
	for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		int nid = OBJ_obj2nid(ad->method);
		if (nid == NID_ad_OCSP)
			push_uri(b, EKU_FB_OCSP, ad->location);
		else if (nid == NID_ad_ca_issuers)
			push_uri(b, EKU_FB_CA_ISSUERS, ad->location);
	}
	AUTHORITY_INFO_ACCESS_free(aia);
}

static void read_policies(X509 *x, struct eku_fb *b)
{
	CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);

	if (pols == NULL)
		return;
	for (int i = 0; i < sk_POLICYINFO_num(pols); i++)
		oid_text(b, EKU_FB_POLICY, sk_POLICYINFO_value(pols, i)->policyid);
	CERTIFICATEPOLICIES_free(pols);
}

static void octets_hex(struct eku_fb *b, enum eku_fb_slot slot, const ASN1_OCTET_STRING *s)
{
	if (s != NULL)
		eku_fb_hex(b, slot, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
}

static void read_key(X509 *x, struct eku_fb *b)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	char group[80];
	const char *type;

	if (pk == NULL) {
		/* Unsupported or malformed key (e.g. DSA with inherited parameters):
		 * still a certificate we can talk about. */
		eku_fb_str(b, EKU_FB_KEY_TYPE, "unknown");
		return;
	}
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA: type = "RSA"; break;
	case EVP_PKEY_RSA_PSS: type = "RSA-PSS"; break;
	case EVP_PKEY_EC: type = "EC"; break;
	case EVP_PKEY_DSA: type = "DSA"; break;
	case EVP_PKEY_ED25519: type = "ED25519"; break;
	case EVP_PKEY_ED448: type = "ED448"; break;
	default: type = EVP_PKEY_get0_type_name(pk) != NULL ? EVP_PKEY_get0_type_name(pk) : "unknown";
	}
	eku_fb_str(b, EKU_FB_KEY_TYPE, type);
	b->f.key_bits = EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) == 1)
		eku_fb_str(b, EKU_FB_CURVE, group);
}

static int read_digests(X509 *x, struct eku_facts *f)
{
	unsigned char *spki = NULL;
	unsigned int mdlen = 0;
	int len, rc = -1;

	if (X509_digest(x, EVP_sha256(), f->sha256, &mdlen) != 1)
		goto out;
	/* Whole SubjectPublicKeyInfo, as HPKP/pinning tools hash it; not
	 * X509_pubkey_digest, which hashes only the key bits. */
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	if (len <= 0 || eku_sha256(spki, (size_t)len, f->spki_sha256) != 0)
		goto out;
	rc = 0;
out:
	OPENSSL_free(spki);
	return rc;
}

static int count_scts(X509 *x)
{
	STACK_OF(SCT) *scts = X509_get_ext_d2i(x, NID_ct_precert_scts, NULL, NULL);
	int n;

	if (scts == NULL)
		return 0;
	n = sk_SCT_num(scts);
	SCT_LIST_free(scts);
	return n < 0 ? 0 : n;
}

/* The oracle: every fact read through OpenSSL's own parse. The DER walker
 * (der/cert_walk.c) must agree with it on every certificate it accepts. */
struct eku_facts *eku_facts_from_x509(X509 *x, eku_error *err)
{
	struct eku_fb b;
	struct eku_facts *f = &b.f, *out = NULL;
	bool ok = true;
	int sig_nid;

	eku_fb_init(&b);
	/* Caches the extensions; an invalid extension shows up as flags. */
	X509_check_purpose(x, -1, 0);
	if (name_string(&b, EKU_FB_SUBJECT, X509_get_subject_name(x)) != 0 ||
	    name_string(&b, EKU_FB_ISSUER, X509_get_issuer_name(x)) != 0 ||
	    serial_string(&b, X509_get0_serialNumber(x)) != 0)
		goto fail;
	f->not_before = asn1_time_seconds(X509_get0_notBefore(x), &ok);
	f->not_after = asn1_time_seconds(X509_get0_notAfter(x), &ok);
	if (!ok) {
		eku_error_set(err, EKU_E_BAD_DER, "validity dates cannot be read");
		goto out;
	}
	if (read_digests(x, f) != 0)
		goto fail;
	read_key(x, &b);
	sig_nid = X509_get_signature_nid(x);
	eku_fb_str(&b, EKU_FB_SIG_ALG, sig_nid != NID_undef ? OBJ_nid2ln(sig_nid) : "unknown");
	read_eku(x, &b);
	read_san(x, &b);
	read_crl_dp(x, &b);
	read_aia(x, &b);
	read_policies(x, &b);
	read_key_usage(x, f);
	f->has_basic_constraints = (X509_get_extension_flags(x) & EXFLAG_BCONS) != 0;
	f->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	f->path_len = X509_get_pathlen(x);
	octets_hex(&b, EKU_FB_SKI, X509_get0_subject_key_id(x));
	octets_hex(&b, EKU_FB_AKI, X509_get0_authority_key_id(x));
	f->n_scts = count_scts(x);
	/* Self-issued with agreeing key identifiers; the signature itself is
	 * not checked here: that is half the cost of loading a root bundle
	 * (ECDSA P-384 roots), and chain building and verify check it where a
	 * decision depends on it. */
	f->self_signed = X509_self_signed(x, 0) == 1;
	f->can_serve = X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0) == 1;
	f->can_client = X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0) == 1;
	if ((out = eku_fb_finish(&b)) == NULL)
		goto fail;
	goto out;
fail:
	eku_error_set_openssl(err, EKU_E_NOMEM, "cannot read certificate facts");
out:
	ERR_clear_error();
	eku_fb_release(&b);
	return out;
}

struct eku_facts *eku_facts_from_der_oracle(const uint8_t *der, size_t len, eku_error *err)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	struct eku_facts *f = NULL;

	if (x == NULL || p != der + len) {
		eku_error_set_openssl(err, EKU_E_BAD_DER, "not a DER certificate");
		goto out;
	}
	f = eku_facts_from_x509(x, err);
out:
	X509_free(x);
	return f;
}

/* The fast path, falling back to the oracle whenever the walker is not
 * sure (der/cert_walk.c lists the cases): refusals, and the text of every
 * refusal, are the oracle's by construction. */
struct eku_facts *eku_facts_from_der(const uint8_t *der, size_t len, eku_error *err)
{
	struct eku_facts *f = eku_der_facts(der, len);

	return f != NULL ? f : eku_facts_from_der_oracle(der, len, err);
}

/* One block (der/facts_build.c): the strings and arrays live inside it. */
bool eku_facts_may_issue(const struct eku_facts *f)
{
	if (f->has_basic_constraints && !f->is_ca)
		return false;
	return !f->has_key_usage || (f->key_usage & EKU_KU_KEY_CERT_SIGN) != 0;
}

void eku_facts_free(struct eku_facts *f)
{
	free(f);
}
