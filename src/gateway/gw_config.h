/* gw_config.h - eku gateway configuration: parsed, validated, refcounted.
 *
 * A gw_config is built in one go from a YAML file (gw_config_load): parse into
 * a fresh struct (the shared YAML walker, yaml/walk.h), collect every problem
 * with file:line:column as eku_diag entries, load the stores
 * and derive the SSL_CTXs; only a config without errors is ever returned. The
 * running gateway holds one "current" config; every connection takes a
 * reference at accept and drops it at close, so a reload serves new
 * connections while live ones keep the config they started with (libtls
 * tls_config, stunnel's refcounted sections).
 *
 * Stores are data (certificate, key, chain, SNI names); SSL_CTXs are derived
 * from them per route: one inbound (server store + route trust + policy) and
 * one outbound (client store entry + upstream trust). Reloading rebuilds both
 * stores, so the server and client stores change independently of each other.
 *
 * Thread-safety: a loaded config is read-only; refcount changes are atomic.
 */
#ifndef EKU_GW_CONFIG_H
#define EKU_GW_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include <eku/cert.h>
#include <eku/trust.h>
#include <eku/util.h>

#include "gw_peer.h"
#include "yaml/walk.h"

enum gw_client_auth { GW_CLIENT_AUTH_NONE, GW_CLIENT_AUTH_OPTIONAL, GW_CLIENT_AUTH_REQUIRE };
const char *gw_client_auth_name(enum gw_client_auth a);

/* Diagnostics are eku_diaglist entries (eku/diag.h) whose default source is
 * the config file; positions are struct eku_pos (yaml/walk.h). A diag that
 * cannot be allocated still counts as an error (eku_diaglist_errors). */
#define GW_DIAG(d, sev, code, ...) ((void)eku_diag_at((d), (sev), (code), __VA_ARGS__))

struct gw_addr {
	char *text;                     /* as written, e.g. "127.0.0.1:8443" */
	struct sockaddr_storage ss;
	socklen_t len;
	struct eku_pos pos;
};

/* One store entry: a certificate with its key and chain. */
struct gw_store_entry {
	char *name;
	char *cert_file, *key_file, *chain_file;
	eku_strv sni;                   /* server store: names served; default: DNS SANs */
	bool is_default;
	struct eku_pos pos, cert_pos, key_pos, chain_pos;
	/* loaded */
	X509 *cert;
	STACK_OF(X509) *chain;
	EVP_PKEY *key;
	eku_cert *ekc;                  /* facts of cert */
};

struct gw_store {
	size_t n;
	struct gw_store_entry *v;
	struct gw_store_entry *dflt;    /* borrowed: the default entry (or the first) */
};

struct gw_upstream {
	struct gw_addr addr;
	char *host;                     /* host part, for SNI/name default */
	bool tls;
	char *name;                     /* expected server name (SNI + verification) */
	eku_strv trust;                 /* empty: the shared list */
	char *client_cert;              /* client store entry name; NULL: default */
	bool proxy_protocol;            /* PROXY protocol v2 with the peer identity */
	struct eku_pos pos, client_cert_pos;
};

struct gw_route {
	char *name;
	struct eku_pos pos;
	size_t n_listen;
	struct gw_addr *listen;
	enum gw_client_auth client_auth;
	eku_strv trust;                 /* empty: the shared list */
	eku_strv crl;                   /* empty: the shared CRLs */
	struct eku_pos crl_pos;
	enum eku_verify_policy policy;
	enum eku_verify_profile profile; /* openssl (default) or strict structural checks */
	struct gw_allow allow;
	bool observe;
	bool present_server_cert_as_client;
	char *server_cert;              /* server store entry for present_..., NULL: default */
	struct gw_upstream up;
	/* derived */
	SSL_CTX *in_ctx;                /* inbound, server store */
	SSL_CTX *out_ctx;               /* outbound TLS, client store entry (or NULL) */
	eku_verify_config *vcfg;        /* inbound peer verification (policy, allow-list) */
	struct gw_vcache *vcache;       /* verdicts for this route and config version */
	struct gw_store_entry *out_entry; /* borrowed: certificate presented upstream */
	struct gw_config *cfg;          /* back pointer (borrowed) */
};

struct gw_limits {
	unsigned max_connections;
	unsigned handshake_timeout_ms;
	unsigned connect_timeout_ms;
	unsigned idle_timeout_ms;
	unsigned drain_timeout_ms;
	size_t buffer_size;             /* per direction */
	unsigned backoff_max_ms;        /* upstream retry backoff ceiling */
};

#define GW_WORKERS_MAX 64
#define GW_WORKERS_AUTO_MAX 8

struct gw_config {
	atomic_int refs;
	char *path;
	uint64_t version;               /* set by the runtime at swap */
	int64_t loaded_at;
	char sha256[65];                /* of the config file */
	char *user;
	unsigned workers;               /* event loops (threads); read at start only */
	bool has_admin;
	struct gw_addr admin;
	bool admin_insecure_remote;
	struct gw_limits limits;
	eku_strv trust;                 /* shared trusted-CA list; "system" allowed */
	struct eku_pos trust_pos;
	eku_strv crl;                   /* shared CRL files (inbound client certificates) */
	struct eku_pos crl_pos;
	bool crl_expired_warn;          /* crl_expired: warn (default refuse) */
	struct gw_store server_store, client_store;
	size_t n_routes;
	struct gw_route *routes;
	eku_trust *classifier;          /* issuer_class of observed peers */
};

/* Parses and loads path. Returns a config with one reference, or NULL when any
 * error was found; every diagnostic (errors and warnings) goes to diags.
 * load_files false: syntax and semantics only (no certificate or key I/O). */
struct gw_config *gw_config_load(const char *path, bool load_files, eku_diaglist *diags);
/* Same, from memory (name is the file name used in diagnostics). */
struct gw_config *gw_config_load_mem(const char *name, const char *yaml, size_t len,
	bool load_files, eku_diaglist *diags);
struct gw_config *gw_config_up_ref(struct gw_config *c);
void gw_config_free(struct gw_config *c);  /* drops one reference */

const struct gw_route *gw_config_route_for_addr(const struct gw_config *c, const char *addr);
const struct gw_route *gw_config_route_for_name(const struct gw_config *c, const char *name);

/* Server store entry for an SNI name (exact, then "*.suffix"), or the default. */
struct gw_store_entry *gw_store_pick(const struct gw_store *s, const char *sni);
struct gw_store_entry *gw_store_find(const struct gw_store *s, const char *name);

/* "host:port", "[v6]:port", "*:port". resolve: allow host names. */
int gw_addr_parse(const char *text, bool resolve, struct gw_addr *out, char **host)
	__attribute__((warn_unused_result));
int gw_duration_parse(const char *s, unsigned *ms) __attribute__((warn_unused_result));
/* 127.0.0.0/8 or ::1 (the admin listener and eku serve's default). */
bool gw_addr_is_loopback(const struct sockaddr_storage *ss);
/* Splits "host:port" / "[v6]:port" without resolving. Returns 0 or -1. */
int gw_split_host_port(const char *text, char *host, size_t hlen, char *port, size_t plen)
	__attribute__((warn_unused_result));

/* config_check.c: after the YAML is read. Limits, references between
 * sections, policy prerequisites; every problem into d. */
void gw_config_check(struct gw_config *c, eku_diaglist *d);
/* Relative file names against the config file's folder. */
void gw_config_resolve_paths(struct gw_config *c);

#endif
