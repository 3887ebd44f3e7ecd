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

static char *bio_to_string(BIO *b)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	char *s = malloc((size_t)n + 1);

	if (s == NULL)
		return NULL;
	if (n > 0) /* an empty subject leaves the BIO without data (NULL) */
		memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

/* RFC 4514 (OpenSSL's RFC 2253 mode, which writes most-specific RDN first). */
static char *name_string(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;

	if (b == NULL)
		return NULL;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		s = eku_utf8_sanitize(bio_to_string(b));
	BIO_free(b);
	return s;
}

/* Same text as `openssl x509 -serial`. */
static char *serial_string(const ASN1_INTEGER *serial)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;

	if (b == NULL)
		return NULL;
	if (i2a_ASN1_INTEGER(b, serial) >= 0)
		s = bio_to_string(b);
	BIO_free(b);
	return s;
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

static char *oid_text(const ASN1_OBJECT *obj)
{
	char buf[128];

	if (OBJ_obj2txt(buf, sizeof(buf), obj, 1) <= 0)
		return strdup("?");
	return strdup(buf);
}

static char *oid_name(const ASN1_OBJECT *obj)
{
	int nid = OBJ_obj2nid(obj);

	if (nid != NID_undef && OBJ_nid2sn(nid) != NULL)
		return strdup(OBJ_nid2sn(nid));
	return oid_text(obj);
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

static int read_eku(X509 *x, struct eku_facts *f)
{
	EXTENDED_KEY_USAGE *eku;
	int crit = -1;

	f->eku_class = classify_eku(x);
	f->has_eku = f->eku_class != EKU_CLASS_NONE;
	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (eku == NULL)
		return 0;
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		if (eku_strv_push0(&f->eku_oids, oid_text(o)) != 0 ||
		    eku_strv_push0(&f->eku_names, oid_name(o)) != 0) {
			sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
			return -1;
		}
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return 0;
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

static char *ip_string(const ASN1_OCTET_STRING *ip)
{
	char buf[INET6_ADDRSTRLEN];
	int len = ASN1_STRING_length(ip);
	const unsigned char *d = ASN1_STRING_get0_data(ip);

	if (len == 4 && inet_ntop(AF_INET, d, buf, sizeof(buf)) != NULL)
		return strdup(buf);
	if (len == 16 && inet_ntop(AF_INET6, d, buf, sizeof(buf)) != NULL)
		return strdup(buf);
	return strdup("<malformed IP>");
}

static char *asn1_string_copy(const ASN1_STRING *s)
{
	int len = ASN1_STRING_length(s);
	char *out = malloc((size_t)len + 1);

	if (out == NULL)
		return NULL;
	memcpy(out, ASN1_STRING_get0_data(s), (size_t)len);
	out[len] = '\0';
	/* Embedded NULs would truncate silently; make them visible instead. */
	for (int i = 0; i < len; i++)
		if (out[i] == '\0')
			out[i] = '?';
	return eku_utf8_sanitize(out);
}

static int read_san(X509 *x, struct eku_facts *f)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int n, rc = -1;

	if (gens == NULL)
		return 0;
	n = sk_GENERAL_NAME_num(gens);
	f->san = calloc((size_t)n + 1, sizeof(*f->san));
	if (f->san == NULL)
		goto out;
	for (int i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		struct eku_san *s = &f->san[f->n_san];
		switch (g->type) {
		case GEN_DNS: s->type = EKU_SAN_DNS; s->value = asn1_string_copy(g->d.dNSName); break;
		case GEN_URI: s->type = EKU_SAN_URI; s->value = asn1_string_copy(g->d.uniformResourceIdentifier); break;
		case GEN_EMAIL: s->type = EKU_SAN_EMAIL; s->value = asn1_string_copy(g->d.rfc822Name); break;
		case GEN_IPADD: s->type = EKU_SAN_IP; s->value = ip_string(g->d.iPAddress); break;
		default: continue; /* directoryName, otherName: not used for TLS identity */
		}
		if (s->value == NULL)
			goto out;
		f->n_san++;
	}
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	return rc;
}

static int push_uri(eku_strv *sv, const GENERAL_NAME *g)
{
	if (g->type != GEN_URI)
		return 0;
	return eku_strv_push0(sv, asn1_string_copy(g->d.uniformResourceIdentifier));
}

static int read_crl_dp(X509 *x, struct eku_facts *f)
{
	CRL_DIST_POINTS *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	int rc = -1;

	if (dps == NULL)
		return 0;
	for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		for (int j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); j++)
			if (push_uri(&f->crl_dp, sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j)) != 0)
				goto out;
	}
	rc = 0;
out:
	CRL_DIST_POINTS_free(dps);
	return rc;
}

static int read_aia(X509 *x, struct eku_facts *f)
{
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
	int rc = -1;

	if (aia == NULL)
		return 0;
	for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		int nid = OBJ_obj2nid(ad->method);
		eku_strv *dst = nid == NID_ad_OCSP ? &f->ocsp : nid == NID_ad_ca_issuers ? &f->ca_issuers : NULL;
		if (dst != NULL && push_uri(dst, ad->location) != 0)
			goto out;
	}
	rc = 0;
out:
	AUTHORITY_INFO_ACCESS_free(aia);
	return rc;
}

static int read_policies(X509 *x, struct eku_facts *f)
{
	CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
	int rc = -1;

	if (pols == NULL)
		return 0;
	for (int i = 0; i < sk_POLICYINFO_num(pols); i++)
		if (eku_strv_push0(&f->policies, oid_text(sk_POLICYINFO_value(pols, i)->policyid)) != 0)
			goto out;
	rc = 0;
out:
	CERTIFICATEPOLICIES_free(pols);
	return rc;
}

static char *octets_hex(const ASN1_OCTET_STRING *s)
{
	int len;
	char *out;

	if (s == NULL)
		return NULL;
	len = ASN1_STRING_length(s);
	out = malloc(2 * (size_t)len + 1);
	if (out != NULL)
		eku_hex(ASN1_STRING_get0_data(s), (size_t)len, out);
	return out;
}

static int read_key(X509 *x, struct eku_facts *f)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	char group[80];
	const char *type;

	if (pk == NULL) {
		/* Unsupported or malformed key (e.g. DSA with inherited parameters):
		 * still a certificate we can talk about. */
		f->key_type = strdup("unknown");
		return f->key_type != NULL ? 0 : -1;
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
	f->key_type = strdup(type);
	f->key_bits = EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) == 1)
		f->curve = strdup(group);
	return f->key_type != NULL ? 0 : -1;
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
	if (len <= 0 || EVP_Digest(spki, (size_t)len, f->spki_sha256, &mdlen, EVP_sha256(), NULL) != 1)
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

struct eku_facts *eku_facts_from_x509(X509 *x, eku_error *err)
{
	struct eku_facts *f = calloc(1, sizeof(*f));
	bool ok = true;
	int sig_nid;

	if (f == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		return NULL;
	}
	/* Caches the extensions; an invalid extension shows up as flags. */
	X509_check_purpose(x, -1, 0);
	f->path_len = -1;
	f->subject = name_string(X509_get_subject_name(x));
	f->issuer = name_string(X509_get_issuer_name(x));
	f->serial = serial_string(X509_get0_serialNumber(x));
	f->not_before = asn1_time_seconds(X509_get0_notBefore(x), &ok);
	f->not_after = asn1_time_seconds(X509_get0_notAfter(x), &ok);
	if (f->subject == NULL || f->issuer == NULL || f->serial == NULL)
		goto fail;
	if (!ok) {
		eku_error_set(err, EKU_E_BAD_DER, "validity dates cannot be read");
		goto fail_set;
	}
	if (read_digests(x, f) != 0 || read_key(x, f) != 0)
		goto fail;
	sig_nid = X509_get_signature_nid(x);
	f->sig_alg = strdup(sig_nid != NID_undef ? OBJ_nid2ln(sig_nid) : "unknown");
	if (f->sig_alg == NULL || read_eku(x, f) != 0 || read_san(x, f) != 0 ||
	    read_crl_dp(x, f) != 0 || read_aia(x, f) != 0 || read_policies(x, f) != 0)
		goto fail;
	read_key_usage(x, f);
	f->has_basic_constraints = (X509_get_extension_flags(x) & EXFLAG_BCONS) != 0;
	f->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	f->path_len = X509_get_pathlen(x);
	f->ski = octets_hex(X509_get0_subject_key_id(x));
	f->aki = octets_hex(X509_get0_authority_key_id(x));
	f->n_scts = count_scts(x);
	/* Self-issued with agreeing key identifiers; the signature itself is
	 * not checked here: that is half the cost of loading a root bundle
	 * (ECDSA P-384 roots), and chain building and verify check it where a
	 * decision depends on it. */
	f->self_signed = X509_self_signed(x, 0) == 1;
	f->can_serve = X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0) == 1;
	f->can_client = X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0) == 1;
	ERR_clear_error();
	return f;
fail:
	eku_error_set_openssl(err, EKU_E_NOMEM, "cannot read certificate facts");
fail_set:
	eku_facts_free(f);
	return NULL;
}

struct eku_facts *eku_facts_from_der(const uint8_t *der, size_t len, eku_error *err)
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

void eku_facts_free(struct eku_facts *f)
{
	if (f == NULL)
		return;
	free(f->subject);
	free(f->issuer);
	free(f->serial);
	free(f->key_type);
	free(f->curve);
	free(f->sig_alg);
	eku_strv_clear(&f->eku_oids);
	eku_strv_clear(&f->eku_names);
	for (size_t i = 0; i < f->n_san; i++)
		free(f->san[i].value);
	free(f->san);
	free(f->ski);
	free(f->aki);
	eku_strv_clear(&f->crl_dp);
	eku_strv_clear(&f->ocsp);
	eku_strv_clear(&f->ca_issuers);
	eku_strv_clear(&f->policies);
	free(f);
}
