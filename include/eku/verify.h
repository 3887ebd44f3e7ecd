/* eku/verify.h - role-aware path validation with EKU policy (docs/verify.md).
 *
 * Model (libtls style): an eku_verify_config is built once through setters
 * (trust anchors, CRLs, role, policy, allow-list, instant, host name), then
 * used read-only by any number of eku_verify_*() calls, each of which returns
 * a new eku_verify_result explaining the verdict.
 *
 * Path validation is OpenSSL's X509_verify_cert() (RFC 5280 section 6) with an
 * X509_VERIFY_PARAM derived from the config. The policies:
 *
 *   enforce            RFC 5280 + the TLS purpose of the role at every depth
 *                      (OpenSSL "sslclient"/"sslserver"), as `openssl verify
 *                      -purpose` does.
 *   ignore-client-eku  every RFC 5280 check (signature, validity, basic
 *                      constraints, path length, name constraints, policies,
 *                      revocation when CRLs are given) but the clientAuth
 *                      purpose is not required at any depth. The leaf must still
 *                      carry clientAuth or serverAuth or have no EKU at all (an
 *                      EKU naming neither, anyExtendedKeyUsage alone included,
 *                      is refused), its key usage must allow signing, and it
 *                      MUST match the allow-list (mandatory under this policy).
 *                      For role server nothing is relaxed: serverAuth is always
 *                      required (a clientAuth-only certificate never
 *                      authenticates a server).
 *   permissive         verifies as enforce and reports, never blocks: the
 *                      result passes, the errors are listed as would-fail.
 *   off                no verification at all; the result passes with no
 *                      errors. Exists so the gateway can express "TLS verify
 *                      off" and still observe the other verdicts.
 *
 * Every result also carries the verdict under each of the other policies, so
 * an operator sees "fails under enforce: leaf lacks clientAuth; passes under
 * ignore-client-eku: SAN DNS sip.partner.example is allowed".
 *
 * An allow-list, when set, is checked under every policy (pinning), not only
 * under ignore-client-eku.
 *
 * Thread-safety: a config must not be modified after its first use; once
 * built it may be used from several threads at once (results are per call).
 * Configs and allow-lists are reference-counted so a gateway reload can serve
 * new connections with a new config while live ones keep the old one.
 */
#ifndef EKU_VERIFY_H
#define EKU_VERIFY_H

#include <eku/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/safestack.h>
#include <openssl/x509.h>

#include <eku/cert.h>
#include <eku/error.h>

/* The TLS role a certificate is verified for. */
enum eku_verify_role {
	EKU_VERIFY_ROLE_CLIENT = 0, /* the peer is a TLS client: clientAuth purpose */
	EKU_VERIFY_ROLE_SERVER,     /* the peer is a TLS server: serverAuth purpose */
};
/* "client" / "server"; never NULL. */
EKU_API const char *eku_verify_role_name(enum eku_verify_role r);
/* Parses "client" / "server". Returns 0, or -1 when s is neither. */
EKU_API int eku_verify_role_parse(const char *s, enum eku_verify_role *out)
	__attribute__((warn_unused_result));

/* Verification profiles (docs/verify.md): which structural rules apply.
 *   openssl  what `openssl verify` checks (the default).
 *   strict   also OpenSSL's -x509_strict, plus eku's RFC 5280 / CA/B Forum
 *            structural checks (AKI, SKI, critical basicConstraints on CAs,
 *            keyCertSign only on CAs, empty subject needs a critical SAN,
 *            serial number, validity time encoding), each reported with its
 *            own strict_* code at the certificate's depth. */
enum eku_verify_profile {
	EKU_VERIFY_PROFILE_OPENSSL = 0,
	EKU_VERIFY_PROFILE_STRICT,
};
/* "openssl" / "strict"; never NULL. */
EKU_API const char *eku_verify_profile_name(enum eku_verify_profile p);
EKU_API int eku_verify_profile_parse(const char *s, enum eku_verify_profile *out)
	__attribute__((warn_unused_result));

/* EKU policies (docs/verify.md). The order is the order verdicts are reported in. */
enum eku_verify_policy {
	EKU_VERIFY_ENFORCE = 0,
	EKU_VERIFY_IGNORE_CLIENT_EKU,
	EKU_VERIFY_PERMISSIVE,
	EKU_VERIFY_OFF,
};
#define EKU_VERIFY_POLICY_COUNT 4
/* "enforce", "ignore-client-eku", "permissive", "off"; never NULL. */
EKU_API const char *eku_verify_policy_name(enum eku_verify_policy p);
EKU_API int eku_verify_policy_parse(const char *s, enum eku_verify_policy *out)
	__attribute__((warn_unused_result));

/* Stable failure codes: X(enum, "stable_name", plain explanation). The names
 * appear in JSON ("errors[].code"), logs and metrics labels; never renamed. */
#define EKU_VERIFY_CODE_LIST(X)                                                                   \
	X(EKU_V_OK, "ok", "no error")                                                             \
	X(EKU_V_CHAIN_INCOMPLETE, "chain_incomplete",                                             \
		"the issuer certificate could not be found among the trusted and untrusted certificates") \
	X(EKU_V_UNTRUSTED_ROOT, "untrusted_root", "the chain ends at a root that is not trusted")  \
	X(EKU_V_ANCHOR_REJECTED, "anchor_rejected",                                               \
		"the trust anchor is not trusted (or is explicitly rejected) for this purpose")       \
	X(EKU_V_BAD_SIGNATURE, "bad_signature", "a certificate or CRL signature does not verify") \
	X(EKU_V_NOT_YET_VALID, "not_yet_valid", "a certificate is not yet valid at the instant")  \
	X(EKU_V_EXPIRED, "expired", "a certificate has expired at the instant")                   \
	X(EKU_V_BAD_TIME_FIELD, "bad_time_field", "a certificate or CRL has a malformed date")    \
	X(EKU_V_REVOKED, "revoked", "a certificate is revoked by its issuer's CRL")               \
	X(EKU_V_CRL_MISSING, "crl_missing", "no valid CRL was given for a certificate's issuer")   \
	X(EKU_V_CRL_INVALID, "crl_invalid",                                                        \
		"a CRL is expired, not yet valid, unsigned, or its issuer may not sign CRLs")         \
	X(EKU_V_NOT_A_CA, "not_a_ca", "an issuing certificate is not a CA (basic constraints / key usage)") \
	X(EKU_V_PATH_LENGTH, "path_length_exceeded", "a CA's path length constraint is exceeded")  \
	X(EKU_V_NAME_CONSTRAINTS, "name_constraints", "a name violates a CA's name constraints")   \
	X(EKU_V_POLICY, "policy_invalid", "certificate policy processing failed (RFC 5280 6.1.3-6.1.5)") \
	X(EKU_V_CRITICAL_EXTENSION, "unhandled_critical_extension",                                \
		"a certificate or CRL has a critical extension that cannot be processed")             \
	X(EKU_V_INVALID_EXTENSION, "invalid_extension", "a certificate has a malformed or inconsistent extension") \
	X(EKU_V_KEY_TOO_WEAK, "key_too_weak", "a key or signature algorithm is below the security level") \
	X(EKU_V_CLIENT_EKU_MISSING, "client_eku_missing", "the leaf lacks the clientAuth EKU")    \
	X(EKU_V_SERVER_EKU_MISSING, "server_eku_missing", "the leaf lacks the serverAuth EKU")    \
	X(EKU_V_EKU_NO_TLS_PURPOSE, "eku_no_tls_purpose",                                         \
		"the leaf's EKU names neither clientAuth nor serverAuth")                              \
	X(EKU_V_LEAF_PURPOSE, "leaf_purpose",                                                      \
		"the leaf is unsuitable for the role (key usage or Netscape certificate type)")      \
	X(EKU_V_CA_PURPOSE, "ca_purpose",                                                          \
		"an issuing CA is restricted to other purposes (EKU or Netscape certificate type)")  \
	X(EKU_V_HOSTNAME_MISMATCH, "hostname_mismatch", "the leaf does not match the expected name") \
	X(EKU_V_NOT_ALLOWED, "not_allowed", "the leaf matches no entry of the allow-list")        \
	X(EKU_V_ALLOWLIST_REQUIRED, "allowlist_required",                                         \
		"ignore-client-eku needs an allow-list (DNS/URI/IP SAN, CN or SPKI) to pin identity") \
	X(EKU_V_PROXY_CERT, "proxy_certificate", "proxy certificates are not allowed")           \
	X(EKU_V_STRICT_AKI_MISSING, "strict_aki_missing",                                         \
		"profile strict: a certificate that is not self-signed lacks the authority key identifier (RFC 5280 4.2.1.1)") \
	X(EKU_V_STRICT_SKI_MISSING, "strict_ski_missing",                                         \
		"profile strict: a CA certificate lacks the subject key identifier (RFC 5280 4.2.1.2)") \
	X(EKU_V_STRICT_CA_BC_NOT_CRITICAL, "strict_ca_bc_not_critical",                           \
		"profile strict: a CA certificate's basic constraints are not critical (RFC 5280 4.2.1.9)") \
	X(EKU_V_STRICT_KEYCERTSIGN_NON_CA, "strict_keycertsign_non_ca",                           \
		"profile strict: key usage keyCertSign without basic constraints cA=TRUE (RFC 5280 4.2.1.3)") \
	X(EKU_V_STRICT_EMPTY_SUBJECT_SAN, "strict_empty_subject_san",                             \
		"profile strict: an empty subject needs a critical subjectAltName (RFC 5280 4.1.2.6)") \
	X(EKU_V_STRICT_SERIAL, "strict_serial",                                                   \
		"profile strict: the serial number is not positive or longer than 20 octets (RFC 5280 4.1.2.2)") \
	X(EKU_V_STRICT_TIME_ENCODING, "strict_time_encoding",                                     \
		"profile strict: a validity time is not UTCTime through 2049 / GeneralizedTime from 2050, " \
		"in seconds with Z (RFC 5280 4.1.2.5)")                                                \
	X(EKU_V_OTHER, "openssl_other", "OpenSSL reported another verification error")

#define EKU_X_ENUM(code, name, msg) code,
enum eku_verify_code { EKU_VERIFY_CODE_LIST(EKU_X_ENUM) EKU_V__COUNT };
#undef EKU_X_ENUM
/* Stable name ("client_eku_missing") and plain explanation; never NULL. */
EKU_API const char *eku_verify_code_name(enum eku_verify_code c);
EKU_API const char *eku_verify_code_explain(enum eku_verify_code c);

/* ---- allow-list: who may authenticate when the EKU is not enough ---------- */

/* Matching rules (all case-insensitive except URI paths and SPKI):
 *   dns   "host.example" matches a DNS SAN exactly; "*.partner.example"
 *         matches a DNS SAN with exactly one extra, non-empty left-most label
 *         ("a.partner.example", not "a.b.partner.example"). Refused patterns
 *         (RFC 6125 6.4.3): a '*' anywhere but as the whole left-most label
 *         ("a*.x.example", "x.*.example"), and "*.S" when S is a public
 *         suffix of the Public Suffix List compiled into libeku, ICANN or
 *         private section ("*.com", "*.example", "*.co.uk", "*.github.io").
 *         A SAN containing '*' anywhere ("*.x.example", "a*.x.example") is a
 *         wildcard certificate: it is only matched literally by the
 *         identical pattern, never expanded.
 *   uri   the URI SAN must equal the entry (scheme and host case-insensitive).
 *   ip    an IPv4 or IPv6 address (textual, any canonical form), or a CIDR
 *         prefix ("192.0.2.0/24"), matched against IP SANs.
 *   cn    a subject commonName must equal the entry (whatever SANs the leaf
 *         has). Weaker than SANs or SPKI: prefer those.
 *   spki  SHA-256 of the leaf's DER SubjectPublicKeyInfo (64 hex digits, ':'
 *         allowed), or a certificate file whose key is pinned. */
typedef struct eku_allowlist eku_allowlist;
EKU_API eku_allowlist *eku_allowlist_new(void);
EKU_API eku_allowlist *eku_allowlist_up_ref(eku_allowlist *al);
EKU_API void eku_allowlist_free(eku_allowlist *al);
EKU_API const eku_error *eku_allowlist_error(const eku_allowlist *al);
/* Each adder returns 0, or -1 with the allow-list error set (EKU_E_USAGE for a
 * malformed entry, EKU_E_IO / parse codes for an unreadable certificate). */
EKU_API int eku_allowlist_add_dns(eku_allowlist *al, const char *pattern) __attribute__((warn_unused_result));
EKU_API int eku_allowlist_add_uri(eku_allowlist *al, const char *uri) __attribute__((warn_unused_result));
EKU_API int eku_allowlist_add_ip(eku_allowlist *al, const char *addr) __attribute__((warn_unused_result));
EKU_API int eku_allowlist_add_cn(eku_allowlist *al, const char *cn) __attribute__((warn_unused_result));
EKU_API int eku_allowlist_add_spki_sha256(eku_allowlist *al, const uint8_t sha256[32])
	__attribute__((warn_unused_result));
/* "ab12..." (64 hex digits) or a path to a certificate file (first certificate). */
EKU_API int eku_allowlist_add_spki(eku_allowlist *al, const char *hex_or_certfile)
	__attribute__((warn_unused_result));
EKU_API size_t eku_allowlist_count(const eku_allowlist *al);
/* Does leaf match? On a match writes a reason like "SAN DNS sip.partner.example
 * is allowed" into why (may be NULL) and returns true. */
EKU_API bool eku_allowlist_match(const eku_allowlist *al, X509 *leaf, char *why, size_t whylen);

/* ---- the config ---------------------------------------------------------- */

typedef struct eku_verify_config eku_verify_config;

/* Defaults: role client, policy enforce, no anchors, no CRLs, time = the wall
 * clock at each verification, security level 1 (OpenSSL `-auth_level 1`: RSA
 * >= 1024 bits, no MD5), no host name, empty allow-list. */
EKU_API eku_verify_config *eku_verify_config_new(void);
EKU_API eku_verify_config *eku_verify_config_up_ref(eku_verify_config *cfg);
EKU_API void eku_verify_config_free(eku_verify_config *cfg);
/* The last setter error (setters return 0 / -1). */
EKU_API const eku_error *eku_verify_config_error(const eku_verify_config *cfg);

EKU_API int eku_verify_config_set_role(eku_verify_config *cfg, enum eku_verify_role role);
EKU_API int eku_verify_config_set_policy(eku_verify_config *cfg, enum eku_verify_policy policy);
/* Default EKU_VERIFY_PROFILE_OPENSSL. Returns 0, or -1 for an unknown profile. */
EKU_API int eku_verify_config_set_profile(eku_verify_config *cfg, enum eku_verify_profile profile);
/* Fixed instant (UTC seconds) for validity and CRL checks; see
 * eku_verify_config_set_time_now() to go back to the wall clock. */
EKU_API int eku_verify_config_set_time(eku_verify_config *cfg, int64_t at);
EKU_API void eku_verify_config_set_time_now(eku_verify_config *cfg);
/* Expected peer name (DNS name, or IP literal) checked against the leaf as
 * RFC 6125 says (X509_check_host / X509_check_ip). NULL clears. */
EKU_API int eku_verify_config_set_name(eku_verify_config *cfg, const char *name)
	__attribute__((warn_unused_result));

/* Trust anchors. Each file may hold several certificates (PEM, DER, PKCS#7,
 * TRUSTED CERTIFICATE whose OpenSSL trust settings are honoured). */
EKU_API int eku_verify_config_add_trust_file(eku_verify_config *cfg, const char *path)
	__attribute__((warn_unused_result));
/* The system bundle (NULL: /etc/ssl/certs/ca-certificates.crt). */
EKU_API int eku_verify_config_add_trust_system(eku_verify_config *cfg, const char *bundle)
	__attribute__((warn_unused_result));
/* The system bundle's roots that are in the embedded Chrome Root Store
 * snapshot (data_dir NULL: embedded data). */
EKU_API int eku_verify_config_add_trust_chrome(eku_verify_config *cfg, const char *bundle,
	const char *data_dir) __attribute__((warn_unused_result));
/* One anchor (the config takes its own reference; the caller keeps its own). */
EKU_API int eku_verify_config_add_trust_x509(eku_verify_config *cfg, X509 *anchor)
	__attribute__((warn_unused_result));
/* Uses the caller's X509_STORE for anchors and CRLs instead of the built-in
 * one (takes a reference; anchors and CRLs added through this config then go
 * into that store). For a gateway sharing one store with its SSL_CTX. */
EKU_API int eku_verify_config_set1_store(eku_verify_config *cfg, X509_STORE *store)
	__attribute__((warn_unused_result));
EKU_API size_t eku_verify_config_anchor_count(const eku_verify_config *cfg);
/* Intermediates offered for every verification (never anchors). */
EKU_API int eku_verify_config_add_untrusted_file(eku_verify_config *cfg, const char *path)
	__attribute__((warn_unused_result));
/* CRLs (PEM or DER, several per file). Giving any turns on revocation
 * checking for the whole chain (every certificate needs a valid CRL). */
EKU_API int eku_verify_config_add_crl_file(eku_verify_config *cfg, const char *path)
	__attribute__((warn_unused_result));
/* Same from memory (name is used in messages): the _mem variant lets a
 * caller that must not block (the gateway refuses FIFOs) read the bytes. */
EKU_API int eku_verify_config_add_crl_mem(eku_verify_config *cfg, const char *name, const uint8_t *buf,
	size_t len) __attribute__((warn_unused_result));
/* The CRLs added so far (get0: borrowed, valid while cfg lives). */
EKU_API size_t eku_verify_config_crl_count(const eku_verify_config *cfg);
EKU_API X509_CRL *eku_verify_config_get0_crl(const eku_verify_config *cfg, size_t i);
/* Weakens revocation: a CRL past its nextUpdate is still used (OpenSSL's
 * X509_V_ERR_CRL_HAS_EXPIRED is not recorded). Off by default (fail closed). */
EKU_API void eku_verify_config_set_ignore_crl_expiry(eku_verify_config *cfg, bool on);

/* The allow-list (set1: the config takes a reference). NULL clears. */
EKU_API int eku_verify_config_set1_allowlist(eku_verify_config *cfg, eku_allowlist *al);
EKU_API eku_allowlist *eku_verify_config_get0_allowlist(const eku_verify_config *cfg);

/* RFC 5280 6.1.1 inputs (PKITS): user-initial-policy-set (dotted OIDs),
 * initial-explicit-policy, initial-policy-mapping-inhibit,
 * initial-any-policy-inhibit. The policy set starts as {anyPolicy} (handed to
 * OpenSSL explicitly: with no set at all OpenSSL 3.0 fails every path that
 * requires an explicit policy); the first add_policy_oid replaces it, later
 * ones add to it. Policy processing is always on. */
EKU_API int eku_verify_config_add_policy_oid(eku_verify_config *cfg, const char *oid)
	__attribute__((warn_unused_result));
EKU_API void eku_verify_config_set_explicit_policy(eku_verify_config *cfg, bool on);
EKU_API void eku_verify_config_set_inhibit_policy_mapping(eku_verify_config *cfg, bool on);
EKU_API void eku_verify_config_set_inhibit_any_policy(eku_verify_config *cfg, bool on);

/* OpenSSL compatibility knobs (`openssl verify` options). */
/* -partial_chain: an anchor may be an intermediate (not self-signed). */
EKU_API void eku_verify_config_set_partial_chain(eku_verify_config *cfg, bool on);
/* -x509_strict */
EKU_API void eku_verify_config_set_x509_strict(eku_verify_config *cfg, bool on);
/* -allow_proxy_certs (RFC 3820); off by default. */
EKU_API void eku_verify_config_set_insecure_allow_proxy_certs(eku_verify_config *cfg, bool on);
/* -auth_level N (0..5); default 1. */
EKU_API int eku_verify_config_set_auth_level(eku_verify_config *cfg, int level);

/* Checks the config for contradictions (e.g. ignore-client-eku for role
 * client without allow-list entries). Returns 0, or -1 with the config error
 * set to EKU_E_USAGE. Verification calls it too, so a caller that skips it
 * learns of the problem as an allowlist_required failure. */
EKU_API int eku_verify_config_check(eku_verify_config *cfg) __attribute__((warn_unused_result));

/* ---- verification -------------------------------------------------------- */

typedef struct eku_verify_result eku_verify_result;

/* Verifies an already-received chain: chain[0] is the leaf, the rest are
 * untrusted certificates offered by the peer (any order, as received in TLS
 * Certificate). The chain is not modified and need not outlive the call.
 *
 * Returns 0 with *out set to a new result (free with eku_verify_result_free)
 * whatever the verdict: read eku_verify_result_passed(). Returns -1 with *out
 * NULL on a usage error (NULL/empty chain) or when memory runs out; OpenSSL's
 * error queue is drained either way. Safe to call from inside a TLS handshake
 * (no I/O besides nothing: anchors and CRLs are loaded at config time). */
EKU_API int eku_verify_chain(const eku_verify_config *cfg, STACK_OF(X509) *chain,
	eku_verify_result **out) __attribute__((warn_unused_result));

/* Same, with an eku_cert leaf and extra untrusted certificates (may be NULL).
 * Also -1 when the X509 of one of them cannot be built: call
 * eku_cert_get0_x509_err() on each first for an error that names it. */
EKU_API int eku_verify_cert(const eku_verify_config *cfg, const eku_cert *leaf,
	const eku_certlist *extra, eku_verify_result **out) __attribute__((warn_unused_result));

/* For SSL_CTX_set_cert_verify_callback(): verifies X509_STORE_CTX_get0_cert()
 * with X509_STORE_CTX_get0_untrusted() under cfg, and on failure sets the
 * store context's error (X509_V_ERR_INVALID_PURPOSE for EKU failures,
 * X509_V_ERR_CERT_REJECTED for allow-list failures, OpenSSL's own code
 * otherwise) so the TLS alert is meaningful. Returns 1 when the handshake may
 * proceed (policy verdict), 0 otherwise; *out (may be NULL) receives the
 * result for logging/metrics. Example:
 *
 *   static int cb(X509_STORE_CTX *ctx, void *arg)
 *   {
 *       eku_verify_result *r = NULL;
 *       int ok = eku_verify_store_ctx(arg, ctx, &r);
 *       ... log eku_verify_result_summary(r) ...; eku_verify_result_free(r);
 *       return ok;
 *   }
 *   SSL_CTX_set_cert_verify_callback(sslctx, cb, cfg);
 */
EKU_API int eku_verify_store_ctx(const eku_verify_config *cfg, X509_STORE_CTX *ctx,
	eku_verify_result **out);

/* ---- results ------------------------------------------------------------- */

struct eku_verify_error {
	enum eku_verify_code code;
	int depth;            /* 0 = leaf; -1 when not about one certificate */
	const char *message;  /* plain explanation naming the certificate */
	int openssl_error;    /* X509_V_ERR_* when it came from OpenSSL, else 0 */
};

EKU_API void eku_verify_result_free(eku_verify_result *r);
/* The verdict under the configured policy: may the peer proceed? (Always
 * true under permissive and off.) */
EKU_API bool eku_verify_result_passed(const eku_verify_result *r);
/* True when no check failed (permissive: false means "would fail"). */
EKU_API bool eku_verify_result_clean(const eku_verify_result *r);
EKU_API enum eku_verify_policy eku_verify_result_policy(const eku_verify_result *r);
EKU_API enum eku_verify_role eku_verify_result_role(const eku_verify_result *r);
EKU_API int64_t eku_verify_result_time(const eku_verify_result *r);

/* Failures under the configured policy (for permissive: under enforce, as
 * would-fail). Pointers are valid while r lives. */
EKU_API size_t eku_verify_result_error_count(const eku_verify_result *r);
EKU_API const struct eku_verify_error *eku_verify_result_error_get0(const eku_verify_result *r, size_t i);

/* The chain as built, leaf first (as far as it could be built). */
EKU_API size_t eku_verify_result_chain_len(const eku_verify_result *r);
EKU_API const eku_cert *eku_verify_result_chain_get0(const eku_verify_result *r, size_t i);

/* Verdict under policy p (any of the four, the configured one included):
 * *passed and a one-line reason ("leaf lacks clientAuth (EKU: serverAuth)",
 * "SAN DNS sip.partner.example is allowed"). reason is valid while r lives.
 * Returns 0, or -1 for an unknown p. */
EKU_API int eku_verify_result_under(const eku_verify_result *r, enum eku_verify_policy p, bool *passed,
	const char **reason);
/* Allow-list entry that matched the leaf ("SAN DNS x is allowed"), or NULL. */
EKU_API const char *eku_verify_result_allowed_by(const eku_verify_result *r);
/* Leaf facts without touching OpenSSL (eku_class for observe-mode metrics). */
EKU_API enum eku_eku_class eku_verify_result_leaf_eku_class(const eku_verify_result *r);
/* One log-friendly line: "result=fail policy=enforce role=client
 * code=client_eku_missing depth=0 would_pass=ignore-client-eku". */
EKU_API const char *eku_verify_result_summary(const eku_verify_result *r);

/* The JSON object (docs/verify.md): {"schema":"eku/1","result","policy","role","at",
 * "chain":[cert objects of eku_report_cert_json],"errors":[{"code","depth",
 * "message"}],"under_other_policies":{"<policy>":{"result","reason"}}}.
 * Returns a new reference or NULL on allocation failure. */
EKU_API json_t *eku_verify_result_json(const eku_verify_result *r);

#endif
