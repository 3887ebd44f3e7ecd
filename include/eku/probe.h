/* eku/probe.h - asynchronous probing of live TLS endpoints.
 *
 * One eku_probe_config (built once through setters) drives one eku_probe run:
 * every target is resolved, connected, optionally upgraded with STARTTLS and
 * handshaken on a libevent loop (one per worker thread), at most `concurrency`
 * targets at a time. Per target the probe reports the negotiated version and cipher, the
 * presented chain, whether the server sent a CertificateRequest and which CA
 * names it listed, how strongly it wants a client certificate (decided by a
 * handshake without one, reading far enough past a TLS 1.3 handshake to see a
 * post-handshake alert), and the outcome of presenting each candidate client
 * certificate ("dry run").
 *
 * Results are delivered to a callback as each target completes (so callers can
 * stream them); a result is borrowed for the duration of the callback only.
 * Failures are per target and classified (enum eku_probe_errclass); a failing
 * target never stops the others. The library never prints.
 *
 * With more than one thread (eku_probe_config_set_threads) the run spreads
 * the targets over that many event loops, each on its own thread with its own
 * share of the concurrency, taking targets from one shared queue.
 *
 * Thread-safety: a config (and the eku_trust it borrows) is read-only once the
 * run starts; a probe object is used by one thread. The result and progress
 * callbacks may be called from the run's worker threads, but never two at a
 * time (they run under the probe's lock, in completion order), so they need
 * no locking of their own; they must not call back into the probe.
 */
#ifndef EKU_PROBE_H
#define EKU_PROBE_H

#include <eku/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <eku/cert.h>
#include <eku/error.h>
#include <eku/trust.h>
#include <eku/util.h>

/* Addresses tried per target (every resolved one, up to this many). */
#define EKU_PROBE_MAX_ADDRS 16

/* Application protocol spoken around (STARTTLS) or inside (https, sip) TLS. */
#define EKU_PROTO_LIST(X)                                                          \
	X(EKU_PROTO_TLS, "tls")                   /* direct TLS, nothing else */    \
	X(EKU_PROTO_HTTPS, "https")               /* direct TLS + one GET */        \
	X(EKU_PROTO_SMTP, "smtp")                 /* RFC 3207 */                    \
	X(EKU_PROTO_IMAP, "imap")                 /* RFC 3501 6.2.1 */              \
	X(EKU_PROTO_POP3, "pop3")                 /* RFC 2595 4 */                  \
	X(EKU_PROTO_FTP, "ftp")                   /* RFC 4217 */                    \
	X(EKU_PROTO_LDAP, "ldap")                 /* RFC 4511 4.14 */               \
	X(EKU_PROTO_XMPP_CLIENT, "xmpp-client")   /* RFC 6120 5 */                  \
	X(EKU_PROTO_XMPP_SERVER, "xmpp-server")                                     \
	X(EKU_PROTO_POSTGRES, "postgres")         /* SSLRequest */                  \
	X(EKU_PROTO_SIP, "sip")                   /* direct TLS + OPTIONS (RFC 3261) */

#define EKU_X_ENUM(code, name) code,
enum eku_proto { EKU_PROTO_LIST(EKU_X_ENUM) EKU_PROTO__COUNT };
#undef EKU_X_ENUM

EKU_API const char *eku_proto_name(enum eku_proto p);
/* Parses a protocol name. Returns 0, or -1 when unknown. */
EKU_API int eku_proto_from_name(const char *name, enum eku_proto *out) __attribute__((warn_unused_result));
/* The protocol usually spoken on a well-known port (25/587 smtp, 143 imap,
 * 110 pop3, 21 ftp, 389 ldap, 5222 xmpp-client, 5269 xmpp-server, 5432
 * postgres, 5061 sip, 443/8443 https), EKU_PROTO_TLS otherwise. */
EKU_API enum eku_proto eku_proto_for_port(uint16_t port);

/* One endpoint. Strings are owned by the record. */
struct eku_target {
	char *spec;    /* as given by the user, for reports */
	char *host;    /* name or literal address, without IPv6 brackets */
	uint16_t port;
	enum eku_proto proto;
	bool proto_given;
	char *sni;     /* NULL: the host when it is a name, none for literals */
	char *label;   /* where the target came from ("expe1 server" from a plan
	                * inventory), or NULL; reported as "label" */
};

/* Parses "host[:port][,starttls=PROTO][,proto=PROTO][,sni=NAME]" where host
 * may be "[v6]" (a bare IPv6 literal without port is accepted too). The port
 * defaults to 443. Returns 0, or -1 with err (EKU_E_USAGE) set. */
EKU_API int eku_target_parse(const char *spec, struct eku_target *out, eku_error *err)
	__attribute__((warn_unused_result));
EKU_API void eku_target_clear(struct eku_target *t);

/* Whether the server wants a client certificate. REQUESTED: it sent a
 * CertificateRequest and completed the handshake without a certificate, and
 * nothing after the handshake told whether it enforces one (a TLS-only port,
 * a STARTTLS protocol the probe does not speak past STARTTLS). OPTIONAL: the
 * same, and an application exchange after the handshake (HTTP, PostgreSQL,
 * SIP) went through without one. REQUIRED: the handshake failed, an alert
 * followed it, or the application refused (nginx's HTTP 400). Appended last
 * so the older values keep their numbers. */
enum eku_client_auth {
	EKU_CLIENT_AUTH_UNKNOWN = 0,
	EKU_CLIENT_AUTH_NONE,
	EKU_CLIENT_AUTH_OPTIONAL,
	EKU_CLIENT_AUTH_REQUIRED,
	EKU_CLIENT_AUTH_REQUESTED,
};
EKU_API const char *eku_client_auth_name(enum eku_client_auth a);

/* Classes of per-target failures (stable names used in JSON). */
#define EKU_PROBE_ERR_LIST(X)              \
	X(EKU_PROBE_OK, "none")            \
	X(EKU_PROBE_ERR_DNS, "dns")        \
	X(EKU_PROBE_ERR_REFUSED, "refused")\
	X(EKU_PROBE_ERR_TIMEOUT, "timeout")\
	X(EKU_PROBE_ERR_TLS, "tls")        \
	X(EKU_PROBE_ERR_STARTTLS, "starttls") \
	X(EKU_PROBE_ERR_PROTOCOL, "protocol") \
	X(EKU_PROBE_ERR_INTERNAL, "internal")

#define EKU_X_ENUM(code, name) code,
enum eku_probe_errclass { EKU_PROBE_ERR_LIST(EKU_X_ENUM) EKU_PROBE_ERR__COUNT };
#undef EKU_X_ENUM
EKU_API const char *eku_probe_errclass_name(enum eku_probe_errclass c);

/* Outcome of presenting one candidate client certificate. */
enum eku_dry_result {
	EKU_DRY_NOT_REQUESTED = 0, /* the server never asked for a certificate */
	EKU_DRY_ACCEPTED,
	EKU_DRY_REJECTED,
	EKU_DRY_ERROR,             /* could not tell (network failure, timeout) */
};
EKU_API const char *eku_dry_result_name(enum eku_dry_result r);

struct eku_dry_run {
	const char *certificate; /* candidate label (the file name), borrowed from the config */
	enum eku_dry_result result;
	const char *alert;       /* TLS alert name ("unsupported_certificate") or NULL */
	char *detail;            /* e.g. "HTTP 400: The SSL certificate error", or NULL */
};

/* Everything learnt about one target. Read-only for callers. */
struct eku_probe_result {
	const struct eku_target *target;
	size_t index;               /* position of the target in the order added */
	char *address;              /* "127.0.0.1:443" / "[::1]:443": the address that
	                             * answered (or the last one tried), NULL before connect */
	eku_strv failed_addresses;  /* "[::1]:443: Connection refused": tried before address */
	enum eku_proto proto;
	char *tls_version;          /* "TLSv1.3" or NULL */
	char *cipher;               /* IANA/OpenSSL name or NULL */
	eku_certlist *chain;        /* as presented, leaf first (never NULL) */
	struct eku_classification **chain_cl; /* per chain entry, entries may be NULL */
	bool cert_request;          /* a CertificateRequest was seen */
	enum eku_client_auth client_auth;
	eku_strv acceptable_cas;    /* RFC 4514 names from the CertificateRequest */
	bool accepts_public_client_certs; /* a listed CA is a publicly trusted root */
	eku_strv public_cas;        /* the listed names that matched public roots */
	const char *client_auth_alert; /* alert that decided "required", or NULL */
	size_t n_dry_runs;
	struct eku_dry_run *dry_runs;
	char *banner;               /* SIP Server/User-Agent, SMTP/FTP/POP3/IMAP greeting, HTTP Server */
	enum eku_probe_errclass err_class;
	char *err_message;          /* NULL when err_class is EKU_PROBE_OK */
	double elapsed;             /* seconds */
};

/* ---- configuration ----------------------------------------------------- */
typedef struct eku_probe_config eku_probe_config;

EKU_API eku_probe_config *eku_probe_config_new(void);
EKU_API void eku_probe_config_free(eku_probe_config *cfg); /* wipes candidate keys */
EKU_API const eku_error *eku_probe_config_error(const eku_probe_config *cfg);

#define EKU_PROBE_DEFAULT_CONCURRENCY 64
EKU_API void eku_probe_config_set_concurrency(eku_probe_config *cfg, unsigned n);
/* Worker threads, each with its own event loop and an equal share of the
 * concurrency (never more threads than targets or than the concurrency).
 * 1 (the default) runs everything on the calling thread; 0 means one per
 * online CPU, at most EKU_PROBE_MAX_AUTO_THREADS; at most EKU_PROBE_MAX_THREADS. */
#define EKU_PROBE_MAX_AUTO_THREADS 8
#define EKU_PROBE_MAX_THREADS 256
EKU_API void eku_probe_config_set_threads(eku_probe_config *cfg, unsigned n);
/* The number of threads a run would use at most (0 resolved to the CPUs). */
EKU_API unsigned eku_probe_config_threads(const eku_probe_config *cfg);
/* Milliseconds; 0 keeps the default (connect 5000, handshake 10000 covering
 * STARTTLS and TLS, total 30000 per target, post-handshake window 1000). */
EKU_API void eku_probe_config_set_timeouts(eku_probe_config *cfg, unsigned connect_ms,
	unsigned handshake_ms, unsigned total_ms);
/* How long to listen after a TLS 1.3 handshake for a late alert when nothing
 * else (ticket, data) settles the question. */
EKU_API void eku_probe_config_set_post_handshake_ms(eku_probe_config *cfg, unsigned ms);
/* false: stop after the first handshake (no client-auth verdict, no dry
 * runs, no post-handshake wait). Default true. */
EKU_API void eku_probe_config_set_detect_client_auth(eku_probe_config *cfg, bool on);
/* XMPP stream attributes (copied); NULL restores defaults (to = SNI/host,
 * from unset for c2s, "eku.invalid" for s2s). */
EKU_API int eku_probe_config_set_xmpp(eku_probe_config *cfg, const char *to, const char *from)
	__attribute__((warn_unused_result));
/* Trust used to classify presented chains and to decide which acceptable CA
 * names are public (borrowed; must outlive the run). NULL: no classification. */
EKU_API void eku_probe_config_set0_trust(eku_probe_config *cfg, eku_trust *t);
/* Adds the subjects of t's public anchors (system bundle, declared-public
 * roots) to the public CA names, from the certificates t already parsed. */
EKU_API int eku_probe_config_add_public_anchors(eku_probe_config *cfg, const eku_trust *t)
	__attribute__((warn_unused_result));
/* Adds the subjects of the certificates in path that t classifies as webpki
 * or public_other to the set of public CA names a CertificateRequest is
 * compared with (typically the system bundle and --public-root files). */
EKU_API int eku_probe_config_add_public_ca_file(eku_probe_config *cfg, eku_trust *t, const char *path)
	__attribute__((warn_unused_result));
EKU_API size_t eku_probe_config_public_ca_count(const eku_probe_config *cfg);
/* A candidate client certificate for dry runs: cert_path is PEM (cert plus
 * optional chain, and optionally the key) or PKCS#12; key_path may be NULL
 * when the key is inside cert_path. password (may be NULL) unlocks an
 * encrypted PEM key or PKCS#12. Returns 0, or -1 with the config error set. */
EKU_API int eku_probe_config_add_candidate(eku_probe_config *cfg, const char *cert_path,
	const char *key_path, const char *password) __attribute__((warn_unused_result));
/* Pins the addresses of a name, as curl's --resolve: "HOST:PORT:ADDR[,ADDR...]"
 * with IPv4 or bracketed IPv6 literals (at most EKU_PROBE_MAX_ADDRS). Targets
 * naming HOST (case-insensitive) on PORT connect to these instead of asking
 * DNS; SNI is still HOST. Returns 0, or -1 with the config error set
 * (EKU_E_USAGE: malformed). */
EKU_API int eku_probe_config_add_resolve(eku_probe_config *cfg, const char *spec) __attribute__((warn_unused_result));
/* Evaluation instant for reports (days_left); default: now. */
EKU_API void eku_probe_config_set_at(eku_probe_config *cfg, int64_t at);
EKU_API int64_t eku_probe_config_at(const eku_probe_config *cfg);

/* ---- running ------------------------------------------------------------ */
typedef struct eku_probe eku_probe;
typedef void (*eku_probe_result_cb)(const struct eku_probe_result *r, void *arg);
typedef void (*eku_probe_progress_cb)(size_t done, size_t total, size_t active, void *arg);

/* cfg is borrowed and must outlive the probe. */
EKU_API eku_probe *eku_probe_new(const eku_probe_config *cfg);
EKU_API void eku_probe_free(eku_probe *p);
EKU_API const eku_error *eku_probe_error(const eku_probe *p);
/* Queues a target (taking ownership of its strings: *t is zeroed). */
EKU_API int eku_probe_add0_target(eku_probe *p, struct eku_target *t) __attribute__((warn_unused_result));
EKU_API size_t eku_probe_target_count(const eku_probe *p);
EKU_API void eku_probe_set_progress_cb(eku_probe *p, eku_probe_progress_cb cb, void *arg);
/* Runs every queued target to completion; calls cb once per target in
 * completion order. Returns 0 (even when targets failed), or -1 with the
 * probe error set when the run itself could not start. */
EKU_API int eku_probe_run(eku_probe *p, eku_probe_result_cb cb, void *arg) __attribute__((warn_unused_result));

/* The JSON object of one result (docs/scan.md). Returns a new reference or
 * NULL on allocation failure. */
EKU_API json_t *eku_probe_result_json(const struct eku_probe_result *r, int64_t at);

/* ---- wire parsers (exposed for tests and fuzzing) ------------------------ */

/* TLS alert names (RFC 8446 6, RFC 5246 7.2): "bad_certificate", or NULL. */
EKU_API const char *eku_tls_alert_name(uint8_t desc);

/* A parsed CertificateRequest: borrowed DER DistinguishedNames. */
#define EKU_CERTREQ_MAX_NAMES 512
struct eku_certreq {
	size_t n_names;
	const uint8_t *name[EKU_CERTREQ_MAX_NAMES];
	size_t name_len[EKU_CERTREQ_MAX_NAMES];
	bool truncated; /* more names than EKU_CERTREQ_MAX_NAMES */
};
/* Parses the body of a CertificateRequest handshake message (without the
 * 4-byte handshake header); tls13 selects the RFC 8446 4.3.2 layout over the
 * RFC 5246 7.4.4 one. Returns 0 or -1 on malformed input. */
EKU_API int eku_certreq_parse(const uint8_t *body, size_t len, bool tls13, struct eku_certreq *out)
	__attribute__((warn_unused_result));

#endif
