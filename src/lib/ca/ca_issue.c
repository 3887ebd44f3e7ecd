/* eku_ca_issue / eku_ca_renew. The order is what makes a kill -9 harmless:
 *   1. every check and the CA key load (nothing written yet)
 *   2. sign, then record as 'pending' with its audit entry (one transaction;
 *      a serial collision rolls back and draws again)
 *   3. write key, chain, PKCS#12, certificate (each temp+fsync+rename; the
 *      certificate last, so its presence means the set is complete)
 *   4. mark 'complete'
 * A crash after 2 leaves a pending record that eku_ca_check() explains. */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "ca_issue.h"

struct signer {
	EVP_PKEY *key;
	X509 *cert, *root;
};

static void signer_clear(struct signer *s)
{
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	X509_free(s->root);
}

static int signer_load(eku_ca *ca, struct signer *s)
{
	char p[CA_PATH_MAX];

	if (ca_path(p, sizeof(p), ca->dir, "issuing.crt", &ca->err) != 0 ||
	    (s->cert = ca_cert_load(p, &ca->err)) == NULL)
		return -1;
	if (ca_path(p, sizeof(p), ca->dir, "root.crt", &ca->err) != 0 ||
	    (s->root = ca_cert_load(p, &ca->err)) == NULL)
		return -1;
	if (ca->encrypted && ca->pass == NULL) {
		eku_error_set(&ca->err, EKU_E_USAGE,
			"the CA key is encrypted: give --passphrase-file FILE or --passphrase-env VAR");
		return -1;
	}
	if (ca_path(p, sizeof(p), ca->dir, "private/issuing.key", &ca->err) != 0 ||
	    (s->key = ca_key_load(p, ca->pass, &ca->err)) == NULL)
		return -1;
	return 0;
}

static int check_profile(eku_ca *ca, const struct eku_ca_profile *p, const char *name, int *days,
	int64_t now, X509 *iss)
{
	const ASN1_TIME *na = iss ? X509_get0_notAfter(iss) : NULL;

	if (p == NULL) {
		eku_error_set(&ca->err, EKU_E_USAGE,
			"unknown profile '%s'; use client, server, dual or expressway-client",
			name ? name : "");
		return -1;
	}
	if ((p->eku & ca->eku) != p->eku) {
		eku_error_set(&ca->err, EKU_E_POLICY,
			"profile %s needs an EKU this issuing CA may not issue; create a CA with "
			"--eku client,server", p->name);
		return -1;
	}
	if (*days == 0)
		*days = p->default_days;
	if (*days < 1 || *days > p->max_days) {
		eku_error_set(&ca->err, EKU_E_USAGE, "--days %d: use 1..%d for profile %s", *days,
			p->max_days, p->name);
		return -1;
	}
	/* A leaf outliving its issuer would fail validation before its notAfter. */
	if (na != NULL) {
		time_t t = (time_t)(now + 86400LL * *days);
		if (X509_cmp_time(na, &t) < 0) {
			eku_error_set(&ca->err, EKU_E_POLICY,
				"--days %d: the certificate would outlive the issuing CA; shorten --days",
				*days);
			return -1;
		}
	}
	return 0;
}

static int der_of(X509 *x, uint8_t **der, size_t *len, eku_error *err)
{
	int n = i2d_X509(x, NULL);
	uint8_t *p;

	*der = NULL;
	if (n <= 0 || (*der = malloc((size_t)n)) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	p = *der;
	i2d_X509(x, &p);
	*len = (size_t)n;
	return 0;
}

/* RFC 4514 form, as eku inspect prints subjects. */
static void subject_text(X509_NAME *n, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int r = b ? X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) : -1;

	buf[0] = '\0';
	if (r >= 0) {
		r = BIO_read(b, buf, (int)len - 1);
		buf[r > 0 ? r : 0] = '\0';
	}
	BIO_free(b);
}

/* Signs and records; retries on the (2^-126) chance of a serial collision. */
static X509 *sign_and_record(eku_ca *ca, const struct eku_ca_profile *p, struct issue_input *in,
	struct signer *s, int days, const char *renew_of, int64_t now, char serial_hex[40])
{
	uint8_t serial[16], *der = NULL;
	size_t der_len = 0;
	char subj[512], *sans = ca_san_text(in->sans);
	X509 *x = NULL;
	struct ca_cert_spec spec = { .subject = in->subject, .pubkey = in->pub, .serial = serial,
		.serial_len = 16, .not_before = now - 300, .not_after = now + 86400LL * days,
		.pathlen = -1, .eku = p->eku, .sans = in->sans };
	int r = 1;

	subject_text(in->subject, subj, sizeof(subj));
	for (int tries = 0; r == 1 && tries < 8 && sans != NULL; tries++) {
		X509_free(x);
		free(der);
		der = NULL;
		if (ca_serial_random(serial, serial_hex, &ca->err) != 0 ||
		    (x = ca_cert_build(&spec, s->cert, s->key, &ca->err)) == NULL ||
		    der_of(x, &der, &der_len, &ca->err) != 0) {
			r = -1;
			break;
		}
		struct ca_db_cert rec = { .serial = serial_hex, .profile = p->name, .subject = subj,
			.sans = sans, .renewed_from = renew_of, .issued_at = now,
			.not_before = spec.not_before, .not_after = spec.not_after, .days = days,
			.key_generated = in->generated, .der = der, .der_len = der_len };
		r = ca_db_insert_pending(ca->db, &rec, &ca->err);
	}
	if (r != 0) {
		eku_error_setx(&ca->err, EKU_E_INTERNAL, "could not record the certificate");
		X509_free(x);
		x = NULL;
	}
	free(der);
	free(sans);
	return x;
}

static int write_p12(const char *path, struct issue_input *in, X509 *x, struct signer *s,
	const char *pass, eku_error *err)
{
	STACK_OF(X509) *ca = sk_X509_new_null();
	PKCS12 *p12 = NULL;
	uint8_t *der = NULL, *q;
	int n, rc = -1;

	if (ca == NULL || !sk_X509_push(ca, s->cert))
		goto ossl;
	/* PBES2 AES-256 for key and certificates (not RC2/3DES), SHA-256 MAC. */
	p12 = PKCS12_create(pass, NULL, in->priv, x, ca, NID_aes_256_cbc, NID_aes_256_cbc,
		PKCS12_DEFAULT_ITER, PKCS12_DEFAULT_ITER, 0);
	if (p12 == NULL || (n = i2d_PKCS12(p12, NULL)) <= 0 || (der = malloc((size_t)n)) == NULL)
		goto ossl;
	q = der;
	i2d_PKCS12(p12, &q);
	rc = ca_write_atomic_nosync(path, der, (size_t)n, 0600, err);
	goto out;
ossl:
	eku_error_set_openssl(err, EKU_E_OPENSSL, "%s: cannot build the PKCS#12", path);
out:
	sk_X509_free(ca);
	PKCS12_free(p12);
	free(der);
	return rc;
}

static int write_outputs(eku_ca *ca, struct issue_input *in, X509 *x, struct signer *s,
	const char *p12pass, struct eku_ca_issued *o)
{
	char rel[128], *leaf = NULL, *iss = NULL, *chain = NULL;
	size_t ll = 0, li = 0;
	int rc = -1;

	if (ca_cert_pem(x, &leaf, &ll, &ca->err) != 0 || ca_cert_pem(s->cert, &iss, &li, &ca->err) != 0 ||
	    (chain = malloc(ll + li)) == NULL)
		goto out;
	memcpy(chain, leaf, ll);
	memcpy(chain + ll, iss, li);
	if (in->generated) {
		snprintf(rel, sizeof(rel), "private/%s.key", o->serial);
		if (ca_path(o->key_path, sizeof(o->key_path), ca->dir, rel, &ca->err) != 0 ||
		    ca_key_write(o->key_path, in->priv, NULL, false, &ca->err) != 0)
			goto out;
	}
	snprintf(rel, sizeof(rel), "issued/%s.chain.pem", o->serial);
	if (ca_path(o->chain_path, sizeof(o->chain_path), ca->dir, rel, &ca->err) != 0 ||
	    ca_write_atomic_nosync(o->chain_path, chain, ll + li, 0644, &ca->err) != 0)
		goto out;
	if (in->priv != NULL && p12pass != NULL) {
		snprintf(rel, sizeof(rel), "private/%s.p12", o->serial);
		if (ca_path(o->p12_path, sizeof(o->p12_path), ca->dir, rel, &ca->err) != 0 ||
		    write_p12(o->p12_path, in, x, s, p12pass, &ca->err) != 0)
			goto out;
	}
	snprintf(rel, sizeof(rel), "issued/%s.crt", o->serial);
	if (ca_path(o->cert_path, sizeof(o->cert_path), ca->dir, rel, &ca->err) != 0 ||
	    ca_write_atomic_nosync(o->cert_path, leaf, ll, 0644, &ca->err) != 0)
		goto out;
	/* The renames are durable before the record says "complete". */
	if (ca_sync_dir(ca->dir, "issued", &ca->err) != 0 ||
	    ((in->generated || o->p12_path[0]) && ca_sync_dir(ca->dir, "private", &ca->err) != 0))
		goto out;
	rc = 0;
out:
	free(leaf);
	free(iss);
	free(chain);
	return rc;
}

static int issue_core(eku_ca *ca, const struct eku_ca_profile *p, struct issue_input *in, int days,
	const char *p12pass, const char *renew_of, int64_t now, struct eku_ca_issued *o)
{
	struct signer s = { 0 };
	X509 *x = NULL;
	int rc = -1, lock = -1;

	memset(o, 0, sizeof(*o));
	if (signer_load(ca, &s) != 0 || check_profile(ca, p, p->name, &days, now, s.cert) != 0)
		goto out;
	if (ca_san_check_constraints(in->sans, &ca->permit_dns, &ca->err) != 0)
		goto out;
	if ((lock = ca_lock(ca->dir, false, &ca->err)) < 0)
		goto out;
	if ((x = sign_and_record(ca, p, in, &s, days, renew_of, now, o->serial)) == NULL)
		goto out;
	o->not_before = now - 300;
	o->not_after = now + 86400LL * days;
	if (write_outputs(ca, in, x, &s, p12pass, o) != 0 ||
	    ca_db_set_status(ca->db, o->serial, "complete", now, &ca->err) != 0)
		goto out;
	rc = 0;
out:
	ca_unlock(lock);
	X509_free(x);
	signer_clear(&s);
	return rc;
}

int eku_ca_issue(eku_ca *ca, const struct eku_ca_issue_req *r, struct eku_ca_issued *out)
{
	const struct eku_ca_profile *p = eku_ca_profile_find(r->profile);
	struct issue_input in = { 0 };
	int days = r->days, rc = -1;

	eku_error_clear(&ca->err);
	if (check_profile(ca, p, r->profile, &days, r->now, NULL) != 0 ||
	    issue_input_build(&in, p, r, &ca->err) != 0)
		goto out;
	rc = issue_core(ca, p, &in, days, r->p12_passphrase, r->renew_of, r->now, out);
out:
	issue_input_clear(&in);
	return rc;
}

/* The predecessor's profile and DER, for renew. */
static X509 *load_record(eku_ca *ca, const char *serial, const struct eku_ca_profile **p, int *days)
{
	sqlite3_stmt *st = NULL;
	const uint8_t *der;
	X509 *x = NULL;

	if (sqlite3_prepare_v2(ca->db, "SELECT profile, days, der FROM certs WHERE serial = ? AND "
			"status = 'complete'", -1, &st, NULL) != SQLITE_OK) {
		eku_error_set(&ca->err, EKU_E_IO, "database: %s", sqlite3_errmsg(ca->db));
		goto out;
	}
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		eku_error_set(&ca->err, EKU_E_USAGE,
			"serial %s: no such certificate in this CA; see 'eku ca list'", serial);
		goto out;
	}
	*p = eku_ca_profile_find((const char *)sqlite3_column_text(st, 0));
	*days = sqlite3_column_int(st, 1);
	der = sqlite3_column_blob(st, 2);
	x = d2i_X509(NULL, &der, sqlite3_column_bytes(st, 2));
	if (x == NULL || *p == NULL) {
		eku_error_set(&ca->err, EKU_E_BAD_DATA, "serial %s: unreadable record", serial);
		X509_free(x);
		x = NULL;
	}
out:
	sqlite3_finalize(st);
	return x;
}

int eku_ca_renew(eku_ca *ca, const char *serial, bool new_key, int days,
	const char *p12_passphrase, int64_t now, struct eku_ca_issued *out)
{
	const struct eku_ca_profile *p = NULL;
	struct issue_input in = { 0 };
	int old_days = 0, rc = -1;
	X509 *old;

	eku_error_clear(&ca->err);
	if ((old = load_record(ca, serial, &p, &old_days)) == NULL)
		goto out;
	in.subject = X509_NAME_dup(X509_get_subject_name(old));
	in.sans = X509_get_ext_d2i(old, NID_subject_alt_name, NULL, NULL);
	if (new_key) {
		if ((in.priv = ca_key_generate(ca->alg, &ca->err)) == NULL || EVP_PKEY_up_ref(in.priv) != 1)
			goto out;
		in.pub = in.priv;
		in.generated = true;
	} else {
		in.pub = X509_get_pubkey(old);
	}
	if (in.subject == NULL || in.pub == NULL) {
		eku_error_setx(&ca->err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	rc = issue_core(ca, p, &in, days ? days : old_days, p12_passphrase, serial, now, out);
out:
	X509_free(old);
	issue_input_clear(&in);
	return rc;
}
