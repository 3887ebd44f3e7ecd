/* probe_int.h - internal: the probe configuration shared by probe*.c. */
#ifndef EKU_PROBE_INT_H
#define EKU_PROBE_INT_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <eku/probe.h>

struct probe_candidate {
	char *label;           /* the certificate file name */
	X509 *cert;
	STACK_OF(X509) *chain; /* intermediates sent after the leaf */
	EVP_PKEY *key;
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
};

/* Loads one candidate (probe_cand.c: the only probe code touching keys). */
int probe_candidate_load(struct probe_candidate *c, const char *cert_path, const char *key_path,
	const char *password, eku_error *err) __attribute__((warn_unused_result));
void probe_candidate_clear(struct probe_candidate *c);

/* Whether the DER name is one of the configured public CA subjects. */
bool probe_config_is_public_name(const eku_probe_config *cfg, const X509_NAME *name);

#endif
