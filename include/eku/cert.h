/* eku/cert.h - loading certificates and reading their facts.
 *
 * An eku_cert is one certificate plus where it came from (file, block index,
 * line) and its facts, computed once at load. Facts are a read-only value
 * record (struct eku_facts) so callers never touch OpenSSL to answer "what can
 * this certificate authenticate". eku_facts_from_der() is the one function
 * that computes facts; a faster parser can replace it without changing callers.
 *
 * Thread-safety: eku_cert and eku_facts are immutable after creation except
 * eku_cert_set_container (call it before sharing); reference counts are
 * atomic, so eku_cert_up_ref/eku_cert_free may run on any thread and a cert
 * may be shared read-only by any number of threads. An eku_certlist may be
 * read (count, get0, as extra for eku_trust_classify) by many threads once
 * nobody modifies it (push0, sort); its issuer index is built on push, never
 * on read. An eku_loader is used by one thread at a time.
 */
#ifndef EKU_CERT_H
#define EKU_CERT_H

#include <eku/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eku/diag.h>
#include <eku/error.h>
#include <eku/util.h>

typedef struct x509_st X509;

/* The EKU class of a certificate (JSON "eku_class", docs/architecture.md). */
enum eku_eku_class {
	EKU_CLASS_NONE = 0,      /* no EKU extension: any purpose */
	EKU_CLASS_SERVER_ONLY,   /* serverAuth, not clientAuth */
	EKU_CLASS_CLIENT_ONLY,   /* clientAuth, not serverAuth */
	EKU_CLASS_SERVER_CLIENT, /* both */
	EKU_CLASS_ANY,           /* anyExtendedKeyUsage, neither TLS purpose named */
	EKU_CLASS_OTHER,         /* EKU present, neither TLS purpose nor any */
};
EKU_API const char *eku_eku_class_name(enum eku_eku_class c);
/* Under OpenSSL's default rules may a certificate of this class act as ...? */
EKU_API bool eku_eku_class_allows_server(enum eku_eku_class c);
EKU_API bool eku_eku_class_allows_client(enum eku_eku_class c);

enum eku_san_type { EKU_SAN_DNS, EKU_SAN_IP, EKU_SAN_URI, EKU_SAN_EMAIL, EKU_SAN_OTHER };
EKU_API const char *eku_san_type_name(enum eku_san_type t);

struct eku_san {
	enum eku_san_type type;
	char *value;
};

/* Key usage bits (RFC 5280 4.2.1.3), in X509v3 order. */
enum {
	EKU_KU_DIGITAL_SIGNATURE = 1 << 0,
	EKU_KU_NON_REPUDIATION = 1 << 1,
	EKU_KU_KEY_ENCIPHERMENT = 1 << 2,
	EKU_KU_DATA_ENCIPHERMENT = 1 << 3,
	EKU_KU_KEY_AGREEMENT = 1 << 4,
	EKU_KU_KEY_CERT_SIGN = 1 << 5,
	EKU_KU_CRL_SIGN = 1 << 6,
	EKU_KU_ENCIPHER_ONLY = 1 << 7,
	EKU_KU_DECIPHER_ONLY = 1 << 8,
};
/* Name of one key usage bit ("digitalSignature"), or NULL. */
EKU_API const char *eku_key_usage_name(unsigned bit);

struct eku_facts {
	char *subject;          /* RFC 4514 */
	char *issuer;           /* RFC 4514 */
	char *serial;           /* upper-case hex, as `openssl x509 -serial` */
	int64_t not_before;     /* UTC seconds */
	int64_t not_after;
	uint8_t sha256[32];      /* of the DER certificate */
	uint8_t spki_sha256[32]; /* of the DER SubjectPublicKeyInfo */
	char *key_type;         /* "RSA", "EC", "ED25519", ... */
	int key_bits;
	char *curve;            /* "prime256v1" etc, or NULL */
	char *sig_alg;          /* "sha256WithRSAEncryption" */
	bool has_eku;           /* EKU extension present */
	eku_strv eku_oids;      /* dotted */
	eku_strv eku_names;     /* short names where known, else the dotted OID */
	enum eku_eku_class eku_class;
	bool has_key_usage;
	unsigned key_usage;     /* EKU_KU_* bits */
	bool has_basic_constraints;
	bool is_ca;
	long path_len;          /* -1 when absent */
	size_t n_san;
	struct eku_san *san;
	char *ski;              /* hex or NULL */
	char *aki;              /* hex keyIdentifier or NULL */
	eku_strv crl_dp;
	eku_strv ocsp;
	eku_strv ca_issuers;
	eku_strv policies;      /* dotted OIDs */
	int n_scts;             /* embedded SCTs, 0 when none */
	bool self_signed;       /* self-issued (subject = issuer, key identifiers agree);
	                         * the self-signature is not checked here */
	/* OpenSSL's own purpose check of this certificate as a leaf
	 * (X509_check_purpose sslserver / sslclient): EKU, key usage and
	 * Netscape cert type together, which is what "can act as" means. */
	bool can_serve;
	bool can_client;
};

/* Computes the facts of one DER certificate. Returns a new record the caller
 * frees with eku_facts_free, or NULL with err set. The record is ONE
 * allocation: its strings, san array and eku_strv fields point inside it,
 * so treat them as read-only (never eku_strv_clear/push them). */
EKU_API struct eku_facts *eku_facts_from_der(const uint8_t *der, size_t len, eku_error *err);
EKU_API void eku_facts_free(struct eku_facts *f);
/* May this certificate issue others (RFC 5280 6.1.4 (k) and (n))? False
 * for a basicConstraints cA FALSE and for a keyUsage without keyCertSign;
 * true otherwise (a v1 root included). The rule every "possible issuer"
 * filter uses; eku_der_may_issue is its DER-only form. */
EKU_API bool eku_facts_may_issue(const struct eku_facts *f);

typedef struct eku_cert eku_cert;

/* Wraps an X509 (takes a reference of its own; the caller keeps its own).
 * source may be NULL. Returns NULL with err set. */
EKU_API eku_cert *eku_cert_new_x509(X509 *x, const char *source, int index, int line, eku_error *err);
/* Parses one DER certificate. */
EKU_API eku_cert *eku_cert_new_der(const uint8_t *der, size_t len, const char *source, int index,
	eku_error *err);
EKU_API eku_cert *eku_cert_up_ref(eku_cert *c);
EKU_API void eku_cert_free(eku_cert *c);
EKU_API const struct eku_facts *eku_cert_facts(const eku_cert *c);
/* Borrowed; valid while c lives. NULL when it cannot be built: a
 * certificate made from DER builds its X509 on the first call, which fails
 * when memory runs out (or OpenSSL refuses bytes the DER walker accepted). */
EKU_API X509 *eku_cert_get0_x509(const eku_cert *c);
/* Same, and on NULL sets err (setx: a message already there stays) naming
 * the certificate: "SOURCE:LINE: certificate INDEX: OpenSSL cannot build it
 * ..."; code EKU_E_NOMEM when memory ran out, else EKU_E_BAD_DER. */
EKU_API X509 *eku_cert_get0_x509_err(const eku_cert *c, eku_error *err);
/* Frees the lazily built X509 of a certificate made from DER when the
 * caller holds the only reference (it is rebuilt on the next
 * eku_cert_get0_x509): a streaming run that checked a leaf's signature need
 * not keep OpenSSL's copy of every leaf of a file. */
EKU_API void eku_cert_drop_x509(eku_cert *c);
EKU_API const char *eku_cert_source(const eku_cert *c); /* file name, "-" for stdin */
EKU_API int eku_cert_index(const eku_cert *c);          /* 1-based position in its input */
EKU_API int eku_cert_line(const eku_cert *c);           /* PEM: line of BEGIN; 0 otherwise */
/* Human label of the container: "PEM", "TRUSTED CERTIFICATE", "DER", "PKCS#7", "PKCS#12". */
EKU_API const char *eku_cert_container(const eku_cert *c);
EKU_API void eku_cert_set_container(eku_cert *c, const char *container);
/* OpenSSL trust settings carried by a TRUSTED CERTIFICATE block (not part
 * of the signed certificate): uses it is trusted / rejected for, as short
 * names ("clientAuth") or dotted OIDs. Empty for other containers. */
EKU_API const eku_strv *eku_cert_aux_trusted(const eku_cert *c);
EKU_API const eku_strv *eku_cert_aux_rejected(const eku_cert *c);

/* Owning, growable list of certificates, indexed by subject name as
 * certificates are pushed (chain building looks issuers up through it). */
typedef struct eku_certlist eku_certlist;
EKU_API eku_certlist *eku_certlist_new(void);
EKU_API void eku_certlist_free(eku_certlist *l);
EKU_API size_t eku_certlist_count(const eku_certlist *l);
EKU_API eku_cert *eku_certlist_get0(const eku_certlist *l, size_t i);
/* Appends taking ownership (set0); on failure c is freed. */
EKU_API int eku_certlist_push0(eku_certlist *l, eku_cert *c) __attribute__((warn_unused_result));
/* Sorts by not_after ascending (ties by source, then index); re-indexes. */
EKU_API void eku_certlist_sort_by_expiry(eku_certlist *l);

/* Problems with inputs: struct eku_diag and eku_diaglist (eku/diag.h). */

/* The loader: configured once, then used for any number of inputs. */
typedef struct eku_loader eku_loader;
#define EKU_LOADER_DEFAULT_MAX_BYTES (16u * 1024u * 1024u)
/* PKCS#12 key-derivation caps, checked before each derivation runs: no MAC,
 * encrypted safe or shrouded key bag may ask for more iterations than
 * EKU_PKCS12_MAX_ITERATIONS (exporters use 2048 to 600000; one million costs
 * about 0.25 s of CPU), nor a whole file for more than EKU_PKCS12_MAX_WORK.
 * scrypt counts N*r*p. Past either, the input fails with EKU_E_TOO_COSTLY. */
#define EKU_PKCS12_MAX_ITERATIONS 1000000u
#define EKU_PKCS12_MAX_WORK 4000000u
EKU_API eku_loader *eku_loader_new(void);
EKU_API void eku_loader_free(eku_loader *ld); /* wipes the password */
EKU_API void eku_loader_set_max_bytes(eku_loader *ld, size_t max);
/* Keeps only certificates that may issue others: those whose DER says
 * basicConstraints cA FALSE or a keyUsage without keyCertSign are skipped
 * before any parse (they still count as read). For a first pass over a large
 * run that only wants the possible issuers. */
EKU_API void eku_loader_set_issuers_only(eku_loader *ld, bool on);
/* Certificates of the run already loaded (NULL: none), such as the issuers
 * of a first pass: a PEM certificate whose bytes equal one of them (same
 * SHA-256) is not parsed again but shares that one's facts, X509 and
 * signature checks, with its own source and position. known must stay
 * alive and unchanged while the loader uses it (read-only: several
 * loaders on several threads may share it). */
EKU_API void eku_loader_set_known(eku_loader *ld, const eku_certlist *known);
/* Password for PKCS#12 (copied; wiped on free). NULL means the empty password. */
EKU_API int eku_loader_set1_password(eku_loader *ld, const char *pw) __attribute__((warn_unused_result));
/* Directory walk filter: comma-separated extensions without dots
 * ("pem,crt,cer,der,p7b,p7c,p12,pfx"); NULL restores that default. */
EKU_API int eku_loader_set_extensions(eku_loader *ld, const char *csv) __attribute__((warn_unused_result));
/* Loads a file, a directory (recursive, filtered) or "-" (stdin). Certificates
 * go to out, problems to diags (one per failed input). Returns the number of
 * certificates added, or -1 when nothing could be loaded from path (a diag
 * says why). */
EKU_API int eku_loader_load_path(eku_loader *ld, const char *path, eku_certlist *out, eku_diaglist *diags);
/* Walks path like eku_loader_load_path (directories recursively, filtered by
 * extension, links followed once, sorted by name) but reads nothing: fn gets
 * each file name ("-" and plain files as given) and returns how many
 * certificates it took (for the "holds no certificate files" check). Lets a
 * caller read and parse files one at a time, on worker threads, without
 * holding a whole directory's certificates. Walk problems go to diags. */
typedef int (*eku_loader_file_fn)(void *arg, const char *file);
EKU_API int eku_loader_walk(eku_loader *ld, const char *path, eku_loader_file_fn fn, void *arg,
	eku_diaglist *diags);
/* Loads bytes already in memory, named source in results. */
EKU_API int eku_loader_load_mem(eku_loader *ld, const char *source, const uint8_t *buf, size_t len,
	eku_certlist *out, eku_diaglist *diags);

/* Large PEM files in parts. A reader hands out consecutive parts of a file
 * that end where a PEM block ends, as eku_loader_load_mem walks blocks,
 * each with the line and block number it starts at; the parts load on any
 * thread (eku_loader_load_pem_part) and report the positions the whole file
 * would. So a file of a million certificates is read, parsed and printed a
 * part at a time, in memory that does not grow with the file.
 * A reader is used by one thread; the parts are plain buffers. */
typedef struct eku_pem_parts eku_pem_parts;
struct eku_pem_part {
	uint8_t *buf; /* malloc'd, the caller's (free); NUL-terminated, not counted */
	size_t len;
	int line0;    /* line number of buf[0] */
	int block0;   /* PEM blocks before buf[0] */
};
/* What the parts of one file loaded, summed in file order for the file's
 * own verdict (eku_loader_pem_finish). */
struct eku_pem_tally {
	int added, failed, others;
};
/* 1 and *out when path is a regular PEM file larger than part_bytes and at
 * most max bytes; 0 when the caller should read it whole (small, not PEM,
 * not a regular file, unreadable or too large: eku_read_file then says
 * why). "-" is never read in parts. */
EKU_API int eku_pem_parts_open(const char *path, size_t max, size_t part_bytes, eku_pem_parts **out)
	__attribute__((warn_unused_result));
/* The next part: 1 and *part, 0 when the file is done, -1 with err (a read
 * error, or the file grew past max). After 0 or -1, eku_loader_pem_finish
 * gives the file's verdict. */
EKU_API int eku_pem_parts_next(eku_pem_parts *pp, struct eku_pem_part *part, eku_error *err)
	__attribute__((warn_unused_result));
EKU_API void eku_pem_parts_free(eku_pem_parts *pp);
/* Loads one part; its counts are added to *tally. Returns the certificates
 * added from this part. */
EKU_API int eku_loader_load_pem_part(eku_loader *ld, const char *source, const struct eku_pem_part *part,
	struct eku_pem_tally *tally, eku_certlist *out, eku_diaglist *diags);
/* After the last part, with the file's summed tally: the diagnostic of a
 * file without certificates, as eku_loader_load_mem gives it. Returns the
 * certificates added, or -1 when none. */
EKU_API int eku_loader_pem_finish(const char *source, const struct eku_pem_tally *tally, eku_diaglist *diags);

/* Every certificate of path (file, directory or "-") for inputs that must be
 * whole, such as trust anchors: any problem fails the call, with the first
 * diagnostic as err ("path:line: what"). Returns a new list or NULL. */
EKU_API eku_certlist *eku_certlist_load_strict(const char *path, eku_error *err);

/* Reads a whole file with a size cap ("-" is stdin). Returns 0 and a malloc'd
 * buffer (NUL-terminated, not counted in *len), or -1 with err set. */
EKU_API int eku_read_file(const char *path, size_t max, uint8_t **buf, size_t *len, eku_error *err)
	__attribute__((warn_unused_result));

#endif
