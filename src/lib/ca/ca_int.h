/* Internals of the private CA (src/lib/ca/): one job per file.
 *   ca_fs.c      paths, atomic file writes (temp + fsync + rename)
 *   ca_db.c      the SQLite store: schema, meta, records, audit
 *   ca_key.c     the only code that creates, writes and opens private keys
 *   ca_x509.c    certificate construction (RFC 5280 4.2 extensions)
 *   ca_input.c   request inputs: SANs, CSR, --for-cert, proof of possession
 *   ca_init.c    eku_ca_init, eku_ca_open
 *   ca_issue.c   eku_ca_issue, eku_ca_renew
 *   ca_revoke.c  eku_ca_revoke, eku_ca_crl
 *   ca_check.c   eku_ca_list, eku_ca_check
 *   ca_profile.c the profile table
 */
#ifndef EKU_CA_INT_H
#define EKU_CA_INT_H

#include <sqlite3.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <eku/ca.h>

#define CA_DB_NAME "ca.db"
#define CA_FORMAT "eku-ca-1"
#define CA_PATH_MAX 4096
/* The root CRL (no entries: the issuing CA is not revoked) is re-signed by
 * each eku ca crl while the root key is present; made at init otherwise. */
#define CA_ROOT_CRL_DAYS 365

struct eku_ca {
	char *dir;
	sqlite3 *db;
	eku_error err;
	char *pass;
	bool encrypted;
	unsigned eku;          /* what the issuing CA may issue */
	eku_strv permit_dns;   /* name constraints, empty: none */
	enum eku_ca_keyalg alg;
};

/* ca_fs.c */
int ca_path(char *buf, size_t len, const char *dir, const char *rel, eku_error *err)
	__attribute__((warn_unused_result));
/* Writes data to path atomically: a 0-mode temp file created O_EXCL with
 * mode (never chmod after), fsync, rename, fsync of the directory. */
int ca_write_atomic(const char *path, const void *data, size_t len, int mode, eku_error *err)
	__attribute__((warn_unused_result));
/* The same without the directory fsync, for a batch of files in one or two
 * directories that the caller then syncs once with ca_sync_dir(dir, rel). */
int ca_write_atomic_nosync(const char *path, const void *data, size_t len, int mode, eku_error *err)
	__attribute__((warn_unused_result));
int ca_sync_dir(const char *dir, const char *rel, eku_error *err) __attribute__((warn_unused_result));
/* Issuers hold DIR/issue.lock shared from the pending record to "complete";
 * eku ca check holds it exclusive, so a pending record it sees belongs to an
 * issuer that died, never to one still running. Returns the fd or -1. */
int ca_lock(const char *dir, bool exclusive, eku_error *err) __attribute__((warn_unused_result));
void ca_unlock(int fd);
int ca_read_all(const char *path, size_t max, uint8_t **buf, size_t *len, eku_error *err)
	__attribute__((warn_unused_result));
/* A memory BIO over the bytes of path (read by ca_read_all: a FIFO nobody
 * writes to is reported, not waited for; at most max bytes), for OpenSSL's
 * PEM readers. *buf holds the bytes: free it after BIO_free. NULL with err
 * set to "PATH: cannot read WHAT: why". */
BIO *ca_read_bio(const char *path, size_t max, const char *what, uint8_t **buf, eku_error *err);

/* ca_db.c */
int ca_db_open(const char *path, bool create, sqlite3 **out, eku_error *err)
	__attribute__((warn_unused_result));
int ca_db_exec(sqlite3 *db, const char *sql, eku_error *err) __attribute__((warn_unused_result));
int ca_db_schema(sqlite3 *db, eku_error *err) __attribute__((warn_unused_result));
int ca_db_meta_set(sqlite3 *db, const char *key, const char *value, eku_error *err)
	__attribute__((warn_unused_result));
/* malloc'd value or NULL (err set when the key is missing). */
char *ca_db_meta_get(sqlite3 *db, const char *key, eku_error *err);
int ca_db_audit(sqlite3 *db, int64_t at, const char *event, const char *serial,
	const char *detail, eku_error *err) __attribute__((warn_unused_result));

struct ca_db_cert {
	const char *serial, *profile, *subject, *sans, *renewed_from;
	int64_t issued_at, not_before, not_after;
	int days;
	bool key_generated;
	const uint8_t *der;
	size_t der_len;
};
/* Inserts a pending record and its audit entry in one transaction.
 * Returns 0, 1 when the serial exists (caller draws another), -1 on error. */
int ca_db_insert_pending(sqlite3 *db, const struct ca_db_cert *c, eku_error *err)
	__attribute__((warn_unused_result));
int ca_db_set_status(sqlite3 *db, const char *serial, const char *status, int64_t at,
	eku_error *err) __attribute__((warn_unused_result));

/* ca_key.c */
EVP_PKEY *ca_key_generate(enum eku_ca_keyalg alg, eku_error *err);
/* PEM PKCS#8; encrypted (PBES2, scrypt, AES-256-CBC) when pass. */
int ca_key_write(const char *path, EVP_PKEY *key, const char *pass, bool sync_dir, eku_error *err)
	__attribute__((warn_unused_result));
EVP_PKEY *ca_key_load(const char *path, const char *pass, eku_error *err);
const EVP_MD *ca_key_md(EVP_PKEY *key);

/* ca_x509.c */
struct ca_cert_spec {
	X509_NAME *subject;          /* borrowed */
	EVP_PKEY *pubkey;            /* borrowed */
	const uint8_t *serial;       /* big-endian */
	size_t serial_len;
	int64_t not_before, not_after;
	bool is_ca;
	int pathlen;                 /* -1: none */
	unsigned eku;                /* EKU_CA_EKU_*; 0: no EKU extension */
	GENERAL_NAMES *sans;         /* borrowed, may be NULL */
	const eku_strv *permit_dns;  /* name constraints, may be NULL */
};
/* Builds and signs. issuer NULL: self-signed. */
X509 *ca_cert_build(const struct ca_cert_spec *s, X509 *issuer, EVP_PKEY *issuer_key, eku_error *err);
X509 *ca_cert_load(const char *path, eku_error *err);
int ca_cert_pem(X509 *x, char **pem, size_t *len, eku_error *err) __attribute__((warn_unused_result));
int ca_serial_random(uint8_t serial[16], char hex[40], eku_error *err) __attribute__((warn_unused_result));

/* ca_revoke.c: writes DIR/root-crl.pem signed by the root. */
int ca_root_crl_write(const char *dir, X509 *root, EVP_PKEY *key, long number, int days, int64_t now,
	eku_error *err) __attribute__((warn_unused_result));

/* ca_input.c */
/* Parses "DNS:x"/"IP:a"/"URI:u"/"email:e"/bare into gens. */
int ca_san_add(GENERAL_NAMES *gens, const char *spec, eku_error *err) __attribute__((warn_unused_result));
/* Text form "DNS:a,IP:b" of gens (malloc'd). */
char *ca_san_text(const GENERAL_NAMES *gens);
/* Is every DNS SAN within one of the permitted subtrees? */
int ca_san_check_constraints(const GENERAL_NAMES *gens, const eku_strv *permit, eku_error *err)
	__attribute__((warn_unused_result));
X509_REQ *ca_csr_load(const char *path, eku_error *err);
/* Copies the SAN request out of a CSR (NULL when none). */
GENERAL_NAMES *ca_csr_sans(X509_REQ *req);

#endif
