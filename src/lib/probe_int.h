/* probe_int.h - internal: the probe configuration shared by probe*.c. */
#ifndef EKU_PROBE_INT_H
#define EKU_PROBE_INT_H

#include <sys/socket.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <eku/probe.h>

struct probe_candidate {
	char *label;           /* the certificate file name */
	X509 *cert;
	STACK_OF(X509) *chain; /* intermediates sent after the leaf */
	EVP_PKEY *key;
};

/* One address to connect to. */
struct probe_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Addresses pinned for HOST:PORT (eku_probe_config_add_resolve), in the
 * order they are tried. */
struct probe_pin {
	char *host;
	uint16_t port;
	size_t n;
	struct probe_addr addr[EKU_PROBE_MAX_ADDRS];
};

struct eku_probe_config {
	eku_error err;
	unsigned concurrency;
	unsigned threads;          /* 0: one per online CPU, at most EKU_PROBE_MAX_AUTO_THREADS */
	unsigned connect_ms, handshake_ms, total_ms, post_ms;
	bool detect;
	char *xmpp_to, *xmpp_from;
	eku_trust *trust;          /* borrowed */
	STACK_OF(X509_NAME) *public_names;
	size_t n_cand;
	struct probe_candidate *cand;
	int64_t at;
	struct probe_pin *pins;
	size_t n_pins;
};

/* Reorders a[0..n) for connecting (RFC 8305 4: IPv6 first, families
 * alternating, each family's own order kept); drops other families and
 * anything past EKU_PROBE_MAX_ADDRS. Returns the new count. */
size_t probe_addrs_order(struct probe_addr *a, size_t n);
/* The addresses pinned for host:port (case-insensitive), or NULL. */
const struct probe_pin *probe_config_pin(const eku_probe_config *cfg, const char *host, uint16_t port);
void probe_config_pins_clear(eku_probe_config *cfg);

/* Loads one candidate (probe_cand.c: the only probe code touching keys). */
int probe_candidate_load(struct probe_candidate *c, const char *cert_path, const char *key_path,
	const char *password, eku_error *err) __attribute__((warn_unused_result));
void probe_candidate_clear(struct probe_candidate *c);

/* Whether the DER name is one of the configured public CA subjects. */
bool probe_config_is_public_name(const eku_probe_config *cfg, const X509_NAME *name);

#endif
