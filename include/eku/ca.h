/* eku/ca.h - a private PKI for TLS client certificates (option C).
 *
 * An eku_ca is one CA directory: a root and an issuing CA, their keys, a
 * SQLite database (WAL, synchronous=FULL) of every certificate, revocation
 * and an append-only audit log, and the files of issued certificates under
 * issued/ and private/ (docs/ca.md).
 *
 * Issuance is crash-safe: the certificate is signed, then recorded as
 * "pending" in one transaction, then its files are written (temporary file,
 * fsync, rename, directory fsync), then the record is marked "complete".
 * A kill at any point leaves either nothing, or a pending record that
 * eku_ca_check() reports and explains; never a file without a record, never
 * a half-written file, never a reused serial (random 128-bit, UNIQUE).
 *
 * Bad input (bad CSR signature, SAN outside the name constraints, unknown
 * profile, wrong passphrase, a directory that is not a CA) fails before the
 * database transaction starts, so nothing changes.
 *
 * Thread-safety: an eku_ca is used by one thread at a time. Separate eku_ca
 * objects on the same directory (threads or processes) may issue
 * concurrently: SQLite serialises the writes (busy timeout 30 s) and serials
 * are random, so they never collide. The profile table is immutable.
 */
#ifndef EKU_CA_H
#define EKU_CA_H

#include <eku/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eku/error.h>
#include <eku/util.h>

typedef struct eku_ca eku_ca;

enum eku_ca_keyalg { EKU_CA_KEY_P256 = 0, EKU_CA_KEY_P384, EKU_CA_KEY_RSA3072 };
/* "p256", "p384", "rsa3072" -> alg. Returns 0 or -1. */
EKU_API int eku_ca_keyalg_parse(const char *s, enum eku_ca_keyalg *out) __attribute__((warn_unused_result));
EKU_API const char *eku_ca_keyalg_name(enum eku_ca_keyalg a);

/* Extended key usages a profile or the issuing CA carries (bit set). */
enum { EKU_CA_EKU_CLIENT = 1 << 0, EKU_CA_EKU_SERVER = 1 << 1 };

/* An issuance profile: data, not behaviour (src/lib/ca/ca_profile.c). */
struct eku_ca_profile {
	const char *name;
	const char *summary;
	unsigned eku;          /* EKU_CA_EKU_* */
	int default_days;
	int max_days;
	bool need_dns_san;     /* at least one DNS SAN required */
	bool cn_from_san;      /* subject CN defaults to the first DNS SAN */
};
/* The profile called name, or NULL. The pointer is static. */
EKU_API const struct eku_ca_profile *eku_ca_profile_find(const char *name);
EKU_API size_t eku_ca_profile_count(void);
EKU_API const struct eku_ca_profile *eku_ca_profile_get(size_t i);

struct eku_ca_init_opts {
	enum eku_ca_keyalg alg;
	const char *name;             /* CA name ("eku private CA" when NULL) */
	const char *const *permit_dns; /* name constraints on the issuing CA */
	size_t n_permit_dns;
	unsigned eku;                 /* what the issuing CA may issue (0: client+server) */
	const char *passphrase;       /* encrypts both CA keys when not NULL */
	int root_days, issuing_days;  /* 0: 3650 and 1825 */
	int64_t now;
};
/* Creates a CA in dir (which must not exist or be empty). Returns 0, or -1
 * with err set; on failure dir is left as it was found when it was empty. */
EKU_API int eku_ca_init(const char *dir, const struct eku_ca_init_opts *o, eku_error *err)
	__attribute__((warn_unused_result));

/* Opens the CA in dir. Returns NULL with err set when dir is not a CA. */
EKU_API eku_ca *eku_ca_open(const char *dir, eku_error *err);
EKU_API void eku_ca_free(eku_ca *ca);
EKU_API const eku_error *eku_ca_error(const eku_ca *ca);
EKU_API const char *eku_ca_dir(const eku_ca *ca);
/* Copies the passphrase for the CA keys (wiped on free). */
EKU_API int eku_ca_set_passphrase(eku_ca *ca, const char *pw) __attribute__((warn_unused_result));
/* True when the CA keys are stored encrypted. */
EKU_API bool eku_ca_keys_encrypted(const eku_ca *ca);

struct eku_ca_issue_req {
	const char *profile;
	const char *cn;                /* subject CN; NULL: from profile/CSR/cert */
	const char *const *sans;       /* "DNS:x", "IP:a", "URI:u", "email:e" or bare */
	size_t n_sans;
	const char *csr_file;          /* public key (and PoP) from a CSR */
	const char *for_cert_file;     /* certify this certificate's public key */
	const char *pop_key_file;      /* proof of possession for for_cert_file */
	enum eku_ca_keyalg key_alg;    /* generated key when no CSR / cert */
	int days;                      /* 0: the profile default */
	const char *p12_passphrase;    /* write a PKCS#12 when a key is known */
	const char *renew_of;          /* serial this renews (set by eku_ca_renew) */
	int64_t now;
};

/* What one issuance produced. Paths are absolute or relative to the CA dir
 * as given to eku_ca_open; empty when not written. */
struct eku_ca_issued {
	char serial[40];
	char cert_path[4096];
	char chain_path[4096];
	char key_path[4096];
	char p12_path[4096];
	int64_t not_before, not_after;
};

/* Issues one certificate. Returns 0, or -1 with the error in the CA. */
EKU_API int eku_ca_issue(eku_ca *ca, const struct eku_ca_issue_req *r, struct eku_ca_issued *out)
	__attribute__((warn_unused_result));
/* Issues a successor of serial with the same profile, subject and SANs:
 * the same public key, or a new key when new_key. */
EKU_API int eku_ca_renew(eku_ca *ca, const char *serial, bool new_key, int days,
	const char *p12_passphrase, int64_t now, struct eku_ca_issued *out)
	__attribute__((warn_unused_result));

/* RFC 5280 5.3.1 reason names: unspecified, keyCompromise,
 * affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn. */
EKU_API int eku_ca_reason_parse(const char *s, int *code) __attribute__((warn_unused_result));
EKU_API const char *eku_ca_reason_name(int code);
EKU_API int eku_ca_revoke(eku_ca *ca, const char *serial, int reason, int64_t now)
	__attribute__((warn_unused_result));
/* Writes a v2 CRL (CRL number, nextUpdate = now + days) to DIR/crl.pem and,
 * when out_path is not NULL, also there. *crl_number receives the number. */
/* Moves the root key to out_path (a new file, 0600, synced) and removes it
 * from DIR/private, with an audit row: the root signs only the issuing CA and
 * the root CRL, so it belongs offline. Put it back as DIR/private/root.key to
 * re-sign the root CRL (eku_ca_crl does when it is there). 0, or -1 with the
 * CA's error set; nothing is removed unless the copy is complete. */
EKU_API int eku_ca_root_offline(eku_ca *ca, const char *out_path, int64_t now)
	__attribute__((warn_unused_result));
EKU_API int eku_ca_crl(eku_ca *ca, int days, const char *out_path, int64_t now, long *crl_number)
	__attribute__((warn_unused_result));

/* One database record, as listed. Strings live until the callback returns. */
struct eku_ca_record {
	const char *serial, *profile, *subject, *sans, *status, *renewed_from;
	int64_t issued_at, not_before, not_after, revoked_at;
	int days;
	int revoke_reason;   /* -1 when not revoked */
};
typedef int (*eku_ca_record_fn)(const struct eku_ca_record *rec, void *arg);
/* Calls fn for every record (issued order); with expiring_before > 0 only
 * unrevoked complete ones with not_after < expiring_before. fn returning
 * non-zero stops the walk. */
EKU_API int eku_ca_list(eku_ca *ca, int64_t expiring_before, eku_ca_record_fn fn, void *arg)
	__attribute__((warn_unused_result));

enum eku_ca_finding_kind {
	EKU_CA_FIND_PENDING,       /* interrupted issuance (explained, not an error) */
	EKU_CA_FIND_TEMP,          /* leftover temporary file, never renamed */
	EKU_CA_FIND_ORPHAN,        /* certificate file without a database record */
	EKU_CA_FIND_MISSING,       /* complete record whose file is missing */
	EKU_CA_FIND_MISMATCH,      /* file differs from the recorded certificate */
	EKU_CA_FIND_KEY_MODE,      /* private key readable by others */
	EKU_CA_FIND_DB,            /* database integrity */
};
EKU_API const char *eku_ca_finding_name(enum eku_ca_finding_kind k);
/* Errors are ORPHAN, MISSING, MISMATCH, KEY_MODE, DB; the rest are notes. */
EKU_API bool eku_ca_finding_is_error(enum eku_ca_finding_kind k);
typedef void (*eku_ca_finding_fn)(enum eku_ca_finding_kind k, const char *what,
	const char *explain, void *arg);
/* Checks the database against the files. With repair, pending records are
 * marked "abandoned" (their serials stay reserved and go on the CRL) and
 * leftover temporary files are removed. Returns the number of error
 * findings, or -1 when the check could not run. */
EKU_API int eku_ca_check(eku_ca *ca, bool repair, eku_ca_finding_fn fn, void *arg)
	__attribute__((warn_unused_result));

#endif
