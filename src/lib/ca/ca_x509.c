/* Certificate construction. Extensions follow RFC 5280 4.2: critical
 * basicConstraints and keyUsage, SKI everywhere, AKI below the root, EKU on
 * the issuing CA too (limits what it may issue, as CA/B and browsers read
 * it), nameConstraints critical (4.2.1.10), SAN critical when the subject is
 * empty (4.2.1.6). */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "ca_int.h"

int ca_serial_random(uint8_t serial[16], char hex[40], eku_error *err)
{
	/* 128 random bits, then the top bit cleared (a positive INTEGER,
	 * RFC 5280 4.1.2.2) and the next set so the encoding is 16 bytes. */
	if (RAND_bytes(serial, 16) != 1) {
		eku_error_set_openssl(err, EKU_E_OPENSSL, "random serial");
		return -1;
	}
	serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x40);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02X", serial[i]);
	return 0;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = e != NULL && X509_add_ext(x, e, -1);

	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

static int add_name_constraints(X509 *x, const eku_strv *permit)
{
	NAME_CONSTRAINTS *nc = NAME_CONSTRAINTS_new();
	int rc = -1;

	if (nc == NULL || (nc->permittedSubtrees = sk_GENERAL_SUBTREE_new_null()) == NULL)
		goto out;
	for (size_t i = 0; i < permit->n; i++) {
		GENERAL_SUBTREE *t = GENERAL_SUBTREE_new();
		ASN1_IA5STRING *s = ASN1_IA5STRING_new();
		if (t == NULL || s == NULL || !ASN1_STRING_set(s, permit->v[i], -1)) {
			GENERAL_SUBTREE_free(t);
			ASN1_IA5STRING_free(s);
			goto out;
		}
		GENERAL_NAME_set0_value(t->base, GEN_DNS, s);
		if (!sk_GENERAL_SUBTREE_push(nc->permittedSubtrees, t)) {
			GENERAL_SUBTREE_free(t);
			goto out;
		}
	}
	rc = X509_add1_ext_i2d(x, NID_name_constraints, nc, 1, X509V3_ADD_DEFAULT) == 1 ? 0 : -1;
out:
	NAME_CONSTRAINTS_free(nc);
	return rc;
}

static int add_eku(X509 *x, X509V3_CTX *ctx, unsigned eku)
{
	char v[64] = "";

	if (eku == 0)
		return 0;
	if (eku & EKU_CA_EKU_CLIENT)
		strcat(v, "clientAuth");
	if (eku & EKU_CA_EKU_SERVER)
		strcat(v, v[0] ? ",serverAuth" : "serverAuth");
	return add_ext(x, ctx, NID_ext_key_usage, v);
}

static int add_extensions(X509 *x, X509 *issuer, const struct ca_cert_spec *s)
{
	X509V3_CTX ctx;
	char bc[64];
	bool rsa = EVP_PKEY_is_a(s->pubkey, "RSA");

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	if (s->is_ca && s->pathlen >= 0)
		snprintf(bc, sizeof(bc), "critical,CA:TRUE,pathlen:%d", s->pathlen);
	else
		snprintf(bc, sizeof(bc), "critical,%s", s->is_ca ? "CA:TRUE" : "CA:FALSE");
	if (add_ext(x, &ctx, NID_basic_constraints, bc) != 0)
		return -1;
	/* keyEncipherment only for RSA keys: ECDSA keys cannot encipher. */
	if (add_ext(x, &ctx, NID_key_usage, s->is_ca ? "critical,keyCertSign,cRLSign,digitalSignature"
			: rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature") != 0)
		return -1;
	if (add_eku(x, &ctx, s->eku) != 0 || add_ext(x, &ctx, NID_subject_key_identifier, "hash") != 0)
		return -1;
	if (issuer != NULL && add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") != 0)
		return -1;
	if (s->sans != NULL && sk_GENERAL_NAME_num(s->sans) > 0 &&
	    X509_add1_ext_i2d(x, NID_subject_alt_name, s->sans,
		    X509_NAME_entry_count(s->subject) == 0, X509V3_ADD_DEFAULT) != 1)
		return -1;
	if (s->permit_dns != NULL && s->permit_dns->n > 0 && add_name_constraints(x, s->permit_dns) != 0)
		return -1;
	return 0;
}

X509 *ca_cert_build(const struct ca_cert_spec *s, X509 *issuer, EVP_PKEY *issuer_key, eku_error *err)
{
	X509 *x = X509_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *ser = NULL;

	if (x == NULL || !X509_set_version(x, X509_VERSION_3))
		goto ossl;
	if ((bn = BN_bin2bn(s->serial, (int)s->serial_len, NULL)) == NULL ||
	    (ser = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || !X509_set_serialNumber(x, ser))
		goto ossl;
	if (!X509_set_subject_name(x, s->subject) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : s->subject) ||
	    !X509_set_pubkey(x, s->pubkey))
		goto ossl;
	if (ASN1_TIME_set(X509_getm_notBefore(x), (time_t)s->not_before) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)s->not_after) == NULL)
		goto ossl;
	if (add_extensions(x, issuer, s) != 0)
		goto ossl;
	if (X509_sign(x, issuer_key, ca_key_md(issuer_key)) <= 0)
		goto ossl;
	goto out;
ossl:
	eku_error_set_openssl(err, EKU_E_OPENSSL, "cannot build the certificate");
	X509_free(x);
	x = NULL;
out:
	BN_free(bn);
	ASN1_INTEGER_free(ser);
	return x;
}

/* A certificate file (a chain or bundle at most): larger is not one. */
#define CERT_MAX_BYTES (16u << 20)

X509 *ca_cert_load(const char *path, eku_error *err)
{
	uint8_t *buf = NULL;
	BIO *b = ca_read_bio(path, CERT_MAX_BYTES, "the certificate", &buf, err);
	X509 *x = NULL;

	if (b == NULL)
		goto out;
	if ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL)
		eku_error_set(err, EKU_E_NO_CERT, "%s: no PEM certificate", path);
out:
	ERR_clear_error();
	BIO_free(b);
	free(buf);
	return x;
}

int ca_cert_pem(X509 *x, char **pem, size_t *len, eku_error *err)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rc = -1;

	*pem = NULL;
	if (b == NULL || !PEM_write_bio_X509(b, x)) {
		eku_error_set_openssl(err, EKU_E_OPENSSL, "PEM encoding");
		goto out;
	}
	n = BIO_get_mem_data(b, &data);
	if ((*pem = malloc((size_t)n + 1)) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*pem, data, (size_t)n);
	(*pem)[n] = '\0';
	*len = (size_t)n;
	rc = 0;
out:
	BIO_free(b);
	return rc;
}
