/* eku/trust.h - root stores, offline chain building, issuer class, CA vendor.
 *
 * An eku_trust holds candidate issuers (user --untrusted files, the system
 * bundle) and anchor sets (system bundle, the Chrome Root Store snapshot,
 * user --trust files, roots declared public). eku_trust_classify() builds the
 * chain of one certificate from those (no network) and says who stands behind
 * it. Build once, then classify many certificates.
 *
 * Thread-safety: configure (set_data_dir, add_*) from one thread; after the
 * last add_* call an eku_trust may be shared by any number of threads calling
 * eku_trust_classify, eku_trust_load_data, eku_trust_vendor_name,
 * eku_trust_anchor_count/get0 at once (gateway workers, probe threads). The
 * data tables are loaded once under an internal lock (the first caller
 * loads, the others wait); anchors are referenced with atomic counts.
 * eku_trust_error() describes the last failure of any thread: with several
 * threads, use it only to log, not to tell which call failed.
 */
#ifndef EKU_TRUST_H
#define EKU_TRUST_H

#include <eku/api.h>

#include <stdbool.h>
#include <stdint.h>

#include <eku/cert.h>
#include <eku/error.h>

/* The issuer class (JSON "issuer_class", docs/architecture.md). */
enum eku_issuer_class {
	EKU_ISSUER_UNKNOWN = 0, /* chain incomplete */
	EKU_ISSUER_WEBPKI,      /* chains to the Chrome Root Store */
	EKU_ISSUER_PUBLIC_OTHER,/* public root outside the browser store */
	EKU_ISSUER_PRIVATE,
	EKU_ISSUER_SELF_SIGNED,
};
EKU_API const char *eku_issuer_class_name(enum eku_issuer_class c);

typedef struct eku_trust eku_trust;

EKU_API eku_trust *eku_trust_new(void);
EKU_API void eku_trust_free(eku_trust *t);
EKU_API const eku_error *eku_trust_error(const eku_trust *t);

/* Embedded data (Chrome Root Store snapshot, vendor table, alternative roots)
 * comes from the build unless a data directory is set first. */
EKU_API int eku_trust_set_data_dir(eku_trust *t, const char *dir) __attribute__((warn_unused_result));
/* Loads the Chrome snapshot and vendor tables; called implicitly by the first
 * classify, call it explicitly to see data errors early. */
EKU_API int eku_trust_load_data(eku_trust *t) __attribute__((warn_unused_result));
/* System bundle (NULL: /etc/ssl/certs/ca-certificates.crt). Its roots are
 * anchors; whether they are webpki or public_other is decided by the Chrome
 * snapshot. A missing bundle is not an error (returns 0, count 0). */
EKU_API int eku_trust_add_system(eku_trust *t, const char *bundle) __attribute__((warn_unused_result));
/* User anchors: chains ending here are private unless declared public. */
EKU_API int eku_trust_add_anchor_file(eku_trust *t, const char *path) __attribute__((warn_unused_result));
/* The same for a certificate the caller has already read (c is borrowed: the
 * trust takes its own reference). */
EKU_API int eku_trust_add_anchor(eku_trust *t, eku_cert *c) __attribute__((warn_unused_result));
/* Intermediates offered for chain building (not anchors). */
EKU_API int eku_trust_add_untrusted_file(eku_trust *t, const char *path) __attribute__((warn_unused_result));
EKU_API int eku_trust_add_untrusted(eku_trust *t, eku_cert *c) __attribute__((warn_unused_result));
/* Declares a root public (labs, what-if studies): chains ending at it are
 * webpki, attributed to vendor_id (may be NULL). */
EKU_API int eku_trust_add_public_root_file(eku_trust *t, const char *path, const char *vendor_id)
	__attribute__((warn_unused_result));
/* Whether chain building checks signatures (the default). Without, an
 * issuer is matched by name, key identifiers and keyCertSign alone (what
 * X509_check_issued looks at), which is what bulk audits (eku census,
 * inspect --signatures skip) need: a signature check costs more than
 * everything else eku does with a certificate. Each classification then
 * says so in its evidence. Set before sharing t. */
EKU_API void eku_trust_set_check_signatures(eku_trust *t, bool check);
EKU_API bool eku_trust_checks_signatures(const eku_trust *t);
/* Number of anchors of any kind currently loaded. */
EKU_API size_t eku_trust_anchor_count(const eku_trust *t);
/* Anchor i (borrowed, valid while t lives); *is_public (may be NULL) says
 * whether it is a public root: from the system bundle or declared public.
 * Lets callers use the roots already parsed instead of reading a bundle twice. */
EKU_API const eku_cert *eku_trust_anchor_get0(const eku_trust *t, size_t i, bool *is_public);

struct eku_classification {
	enum eku_issuer_class issuer_class;
	bool inferred;           /* class or vendor guessed without a complete chain */
	char *ca_vendor;         /* vendor id ("letsencrypt") or NULL */
	char *ca_vendor_name;    /* display name or NULL */
	eku_strv evidence;       /* human-readable: "root sha256 in Chrome Root Store v36" */
	char *root_subject;      /* subject of the chain's top, or NULL */
	char *root_sha256;       /* hex, or NULL when the chain has no anchor */
	bool alt_root;           /* an alternative combined-EKU root (data/alt-roots.json, option A of docs/background.md) */
	char *alt_root_label;    /* e.g. "IdenTrust Public Sector Root CA 1 (combined EKU)" */
	int64_t root_phase_out;  /* Chrome sct_not_after of the root, 0 if none */
	eku_cert **chain;        /* leaf first; references owned by the record */
	size_t chain_len;
	bool chain_complete;     /* ends at an anchor or a self-signed certificate */
};

/* Classifies c: builds its chain from the store and extra (certificates that
 * came with it, may be NULL), decides issuer class and vendor. Returns a new
 * record (free with eku_classification_free) or NULL with the trust error set.
 * Issuers are looked up by name through the lists' indexes, so classifying
 * every certificate of a run against the run is linear in its size. Thread-
 * safe on a configured t (see above); extra is only read. The record belongs
 * to the caller's thread and may be freed on any thread. */
EKU_API struct eku_classification *eku_trust_classify(eku_trust *t, const eku_cert *c,
	const eku_certlist *extra);
EKU_API void eku_classification_free(struct eku_classification *cl);

/* Vendor lookup by id ("digicert"): display name, or NULL when unknown. */
EKU_API const char *eku_trust_vendor_name(eku_trust *t, const char *vendor_id);

#endif
