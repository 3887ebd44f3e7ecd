/* Revocation and CRLs: RFC 5280 section 5. The CRL is v2 with a CRL number
 * (5.2.3, incremented in the same transaction that records it) and an
 * authority key identifier (5.2.1); entries carry a reason code (5.3.1).
 * Abandoned issuances (interrupted, then repaired) are listed too with
 * cessationOfOperation: their certificate was signed, so it must not be
 * trusted if a copy escaped. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "ca_int.h"

/* Upper-case hex without colons or a 0x prefix, as stored. */
static int norm_serial(const char *in, char *out, size_t len)
{
	size_t n = 0;

	if (strncasecmp(in, "0x", 2) == 0)
		in += 2;
	for (; *in; in++) {
		if (*in == ':')
			continue;
		if (!isxdigit((unsigned char)*in) || n + 1 >= len)
			return -1;
		out[n++] = (char)toupper((unsigned char)*in);
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

static int revoke_tx(eku_ca *ca, const char *serial, int reason, int64_t now)
{
	sqlite3_stmt *st = NULL;
	char detail[64];
	int rc = -1, s;

	if (sqlite3_prepare_v2(ca->db, "INSERT INTO revocations(serial, revoked_at, reason) "
			"SELECT serial, ?, ? FROM certs WHERE serial = ?", -1, &st, NULL) != SQLITE_OK)
		goto db;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, reason);
	sqlite3_bind_text(st, 3, serial, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_CONSTRAINT) {
		eku_error_set(&ca->err, EKU_E_USAGE, "serial %s: already revoked", serial);
		goto out;
	}
	if (s != SQLITE_DONE)
		goto db;
	if (sqlite3_changes(ca->db) != 1) {
		eku_error_set(&ca->err, EKU_E_USAGE,
			"serial %s: no such certificate in this CA; see 'eku ca list'", serial);
		goto out;
	}
	snprintf(detail, sizeof(detail), "reason=%s", eku_ca_reason_name(reason));
	if (ca_db_audit(ca->db, now, "revoke", serial, detail, &ca->err) != 0)
		goto out;
	rc = 0;
	goto out;
db:
	eku_error_set(&ca->err, EKU_E_IO, "database: %s", sqlite3_errmsg(ca->db));
out:
	sqlite3_finalize(st);
	return rc;
}

int eku_ca_revoke(eku_ca *ca, const char *serial_in, int reason, int64_t now)
{
	char serial[64];

	eku_error_clear(&ca->err);
	if (norm_serial(serial_in, serial, sizeof(serial)) != 0) {
		eku_error_set(&ca->err, EKU_E_USAGE, "serial %s: not a hexadecimal serial number", serial_in);
		return -1;
	}
	if (ca_db_exec(ca->db, "BEGIN IMMEDIATE", &ca->err) != 0)
		return -1;
	if (revoke_tx(ca, serial, reason, now) != 0 || ca_db_exec(ca->db, "COMMIT", &ca->err) != 0) {
		sqlite3_exec(ca->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static int add_entry(X509_CRL *crl, const char *hex, int64_t at, int reason)
{
	X509_REVOKED *rv = X509_REVOKED_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *ser = NULL;
	ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)at);
	ASN1_ENUMERATED *rs = ASN1_ENUMERATED_new();
	int rc = -1;

	if (rv == NULL || t == NULL || rs == NULL || !BN_hex2bn(&bn, hex) ||
	    (ser = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		goto out;
	if (!X509_REVOKED_set_serialNumber(rv, ser) || !X509_REVOKED_set_revocationDate(rv, t) ||
	    !ASN1_ENUMERATED_set(rs, reason) ||
	    X509_REVOKED_add1_ext_i2d(rv, NID_crl_reason, rs, 0, 0) != 1 ||
	    !X509_CRL_add0_revoked(crl, rv))
		goto out;
	rv = NULL;
	rc = 0;
out:
	X509_REVOKED_free(rv);
	BN_free(bn);
	ASN1_INTEGER_free(ser);
	ASN1_TIME_free(t);
	ASN1_ENUMERATED_free(rs);
	return rc;
}

static int add_entries(eku_ca *ca, X509_CRL *crl)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, s;

	if (sqlite3_prepare_v2(ca->db,
			"SELECT serial, revoked_at, reason FROM revocations UNION ALL "
			"SELECT serial, issued_at, 5 FROM certs WHERE status = 'abandoned' AND serial NOT IN "
			"(SELECT serial FROM revocations) ORDER BY 1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		if (add_entry(crl, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
			    sqlite3_column_int(st, 2)) != 0)
			goto out;
	rc = s == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	return rc;
}

static long next_crl_number(eku_ca *ca)
{
	char *v = ca_db_meta_get(ca->db, "crl_number", &ca->err), buf[32];
	long n;

	if (v == NULL)
		return -1;
	n = strtol(v, NULL, 10) + 1;
	free(v);
	snprintf(buf, sizeof(buf), "%ld", n);
	return ca_db_meta_set(ca->db, "crl_number", buf, &ca->err) == 0 ? n : -1;
}

/* An unsigned v2 CRL from iss with number and nextUpdate (5.1.2.5). */
static X509_CRL *crl_new(X509 *iss, long number, int days, int64_t now)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *lu = ASN1_TIME_set(NULL, (time_t)now);
	ASN1_TIME *nu = ASN1_TIME_set(NULL, (time_t)(now + 86400LL * days));
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509V3_CTX ctx;
	X509_EXTENSION *aki = NULL;
	int ok = 0;

	if (crl == NULL || lu == NULL || nu == NULL || num == NULL ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(iss)) ||
	    !X509_CRL_set1_lastUpdate(crl, lu) || !X509_CRL_set1_nextUpdate(crl, nu) ||
	    !ASN1_INTEGER_set(num, number) || X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1)
		goto out;
	X509V3_set_ctx(&ctx, iss, NULL, NULL, crl, 0);
	if ((aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always")) == NULL ||
	    !X509_CRL_add_ext(crl, aki, -1))
		goto out;
	ok = 1;
out:
	if (!ok) {
		X509_CRL_free(crl);
		crl = NULL;
	}
	X509_EXTENSION_free(aki);
	ASN1_TIME_free(lu);
	ASN1_TIME_free(nu);
	ASN1_INTEGER_free(num);
	return crl;
}

static int crl_pem(X509_CRL *crl, char **pem, size_t *len, eku_error *err)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rc = -1;

	*pem = NULL;
	if (b == NULL || !PEM_write_bio_X509_CRL(b, crl)) {
		eku_error_set_openssl(err, EKU_E_OPENSSL, "CRL encoding");
		goto out;
	}
	n = BIO_get_mem_data(b, &data);
	if ((*pem = malloc((size_t)n + 1)) == NULL)
		goto out;
	memcpy(*pem, data, (size_t)n);
	*len = (size_t)n;
	rc = 0;
out:
	BIO_free(b);
	return rc;
}

int ca_root_crl_write(const char *dir, X509 *root, EVP_PKEY *key, long number, int days, int64_t now,
	eku_error *err)
{
	X509_CRL *crl = crl_new(root, number, days, now);
	char p[CA_PATH_MAX], *pem = NULL;
	size_t len = 0;
	int rc = -1;

	if (crl == NULL || !X509_CRL_sort(crl) || X509_CRL_sign(crl, key, ca_key_md(key)) <= 0) {
		eku_error_set_openssl(err, EKU_E_OPENSSL, "cannot build the root CRL");
		goto out;
	}
	if (crl_pem(crl, &pem, &len, err) != 0 || ca_path(p, sizeof(p), dir, "root-crl.pem", err) != 0 ||
	    ca_write_atomic(p, pem, len, 0644, err) != 0)
		goto out;
	rc = 0;
out:
	free(pem);
	X509_CRL_free(crl);
	return rc;
}

static X509_CRL *build_crl(eku_ca *ca, X509 *iss, EVP_PKEY *key, long number, int days, int64_t now)
{
	X509_CRL *crl = crl_new(iss, number, days, now);

	if (crl == NULL || add_entries(ca, crl) != 0 || !X509_CRL_sort(crl) ||
	    X509_CRL_sign(crl, key, ca_key_md(key)) <= 0) {
		eku_error_set_openssl(&ca->err, EKU_E_OPENSSL, "cannot build the CRL");
		X509_CRL_free(crl);
		return NULL;
	}
	return crl;
}

/* crl.pem holds the issuing CA's CRL and then the root's (which says the
 * issuing CA is not revoked): peers that check the whole chain, as nginx's
 * ssl_crl does, need both. */
static int write_crl(eku_ca *ca, X509_CRL *crl, const char *out_path)
{
	char p[CA_PATH_MAX], *pem = NULL, *all = NULL;
	uint8_t *root = NULL;
	size_t len = 0, rlen = 0;
	int rc = -1;

	if (crl_pem(crl, &pem, &len, &ca->err) != 0 ||
	    ca_path(p, sizeof(p), ca->dir, "root-crl.pem", &ca->err) != 0 ||
	    ca_read_all(p, 1 << 20, &root, &rlen, &ca->err) != 0 || (all = malloc(len + rlen)) == NULL)
		goto out;
	memcpy(all, pem, len);
	memcpy(all + len, root, rlen);
	if (ca_path(p, sizeof(p), ca->dir, "crl.pem", &ca->err) != 0 ||
	    ca_write_atomic(p, all, len + rlen, 0644, &ca->err) != 0 ||
	    (out_path != NULL && ca_write_atomic(out_path, all, len + rlen, 0644, &ca->err) != 0))
		goto out;
	rc = 0;
out:
	free(pem);
	free(root);
	free(all);
	return rc;
}

/* Re-signs the root CRL when the root key is at hand (it may live offline;
 * then the one made at init, valid for a year, is reused). */
static int refresh_root_crl(eku_ca *ca, int64_t now)
{
	char p[CA_PATH_MAX], buf[32], *v;
	X509 *root = NULL;
	EVP_PKEY *key = NULL;
	long n;
	int rc = -1;

	if (ca_path(p, sizeof(p), ca->dir, "private/root.key", &ca->err) != 0)
		return -1;
	if (access(p, F_OK) != 0)
		return 0;
	if ((key = ca_key_load(p, ca->pass, &ca->err)) == NULL ||
	    ca_path(p, sizeof(p), ca->dir, "root.crt", &ca->err) != 0 ||
	    (root = ca_cert_load(p, &ca->err)) == NULL ||
	    (v = ca_db_meta_get(ca->db, "root_crl_number", &ca->err)) == NULL)
		goto out;
	n = strtol(v, NULL, 10) + 1;
	free(v);
	snprintf(buf, sizeof(buf), "%ld", n);
	if (ca_db_meta_set(ca->db, "root_crl_number", buf, &ca->err) != 0 ||
	    ca_root_crl_write(ca->dir, root, key, n, CA_ROOT_CRL_DAYS, now, &ca->err) != 0)
		goto out;
	rc = 0;
out:
	X509_free(root);
	EVP_PKEY_free(key);
	return rc;
}

int eku_ca_crl(eku_ca *ca, int days, const char *out_path, int64_t now, long *crl_number)
{
	char p[CA_PATH_MAX], detail[64];
	X509 *iss = NULL;
	EVP_PKEY *key = NULL;
	X509_CRL *crl = NULL;
	long num;
	int rc = -1;

	eku_error_clear(&ca->err);
	if (ca->encrypted && ca->pass == NULL) {
		eku_error_set(&ca->err, EKU_E_USAGE,
			"the CA key is encrypted: give --passphrase-file FILE or --passphrase-env VAR");
		goto out;
	}
	if (ca_path(p, sizeof(p), ca->dir, "issuing.crt", &ca->err) != 0 ||
	    (iss = ca_cert_load(p, &ca->err)) == NULL ||
	    ca_path(p, sizeof(p), ca->dir, "private/issuing.key", &ca->err) != 0 ||
	    (key = ca_key_load(p, ca->pass, &ca->err)) == NULL)
		goto out;
	/* The number is taken and the CRL written inside one transaction, so
	 * the number never goes backwards; a crash between the write and the
	 * COMMIT only means the next CRL carries the same number again. */
	if (ca_db_exec(ca->db, "BEGIN IMMEDIATE", &ca->err) != 0)
		goto out;
	snprintf(detail, sizeof(detail), "next_update_days=%d", days);
	if (refresh_root_crl(ca, now) != 0 || (num = next_crl_number(ca)) < 0 || (crl = build_crl(ca, iss, key, num, days, now)) == NULL ||
	    write_crl(ca, crl, out_path) != 0 || ca_db_audit(ca->db, now, "crl", NULL, detail, &ca->err) != 0 ||
	    ca_db_exec(ca->db, "COMMIT", &ca->err) != 0) {
		sqlite3_exec(ca->db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	*crl_number = num;
	rc = 0;
out:
	X509_free(iss);
	EVP_PKEY_free(key);
	X509_CRL_free(crl);
	return rc;
}
