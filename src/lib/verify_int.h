/* Internal to the verify module: the config and result records. */
#ifndef EKU_VERIFY_INT_H
#define EKU_VERIFY_INT_H

#include <stdatomic.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <eku/verify.h>

struct eku_verify_config {
	atomic_int refs;
	eku_error err;
	enum eku_verify_role role;
	enum eku_verify_policy policy;
	enum eku_verify_profile profile;
	bool time_fixed;
	int64_t at;
	char *name;
	X509_STORE *store;
	size_t n_anchors;
	STACK_OF(X509) *untrusted;
	/* Certificates read from --trust / --untrusted files, kept for their
	 * file names: a result's chain says where each certificate came from
	 * (not the system bundle's: those come "from the store", source null). */
	eku_certlist *from_files;
	STACK_OF(X509_CRL) *crls;
	eku_allowlist *allow;
	/* RFC 5280 6.1.1 (c) user-initial-policy-set, never NULL: {anyPolicy}
	 * until the first eku_verify_config_add_policy_oid() replaces it. */
	STACK_OF(ASN1_OBJECT) *policies;
	bool policies_default;
	unsigned long flags;      /* extra X509_V_FLAG_* */
	int auth_level;
	bool ignore_crl_expiry;
};

/* One failure under one policy. */
struct verr {
	enum eku_verify_code code;
	int depth;
	int openssl_error;
	char *message;
};

struct verrlist {
	size_t n;
	struct verr *v;
};

/* The outcome of one policy's evaluation. */
struct eval {
	bool evaluated;
	bool passed;
	struct verrlist errs;
	char *reason;
};

struct eku_verify_result {
	enum eku_verify_policy policy;
	enum eku_verify_role role;
	int64_t at;
	bool passed;
	bool clean;
	eku_certlist *chain;
	enum eku_eku_class leaf_class;
	char *allowed_by;
	struct eval under[EKU_VERIFY_POLICY_COUNT];
	struct eku_verify_error *pub;  /* public view of the configured policy's errors */
	size_t n_pub;
	char *summary;
};

int eku_verrlist_add(struct verrlist *l, enum eku_verify_code code, int depth, int ossl,
	const char *fmt, ...) __attribute__((format(printf, 5, 6), warn_unused_result));
void eku_verrlist_clear(struct verrlist *l);
bool eku_verrlist_has(const struct verrlist *l, enum eku_verify_code code, int depth);

/* Profile strict's structural checks over a built chain (leaf first),
 * verify_strict.c. Adds strict_* errors to errs, skipping a (code, depth)
 * already there (OpenSSL's -x509_strict reports some of the same). */
int eku_verify_strict_check(STACK_OF(X509) *chain, struct verrlist *errs)
	__attribute__((warn_unused_result));

#endif
